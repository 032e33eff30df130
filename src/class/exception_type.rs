//! redis-py's `ExceptionType` enum.

use std::fmt;

/// redis-py's `ExceptionType`: the broad kind of an error, read from the
/// instance's `error_type` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExceptionType {
    /// `ExceptionType.NETWORK` (`"network"`).
    Network,
    /// `ExceptionType.TLS` (`"tls"`).
    Tls,
    /// `ExceptionType.AUTH` (`"auth"`).
    Auth,
    /// `ExceptionType.SERVER` (`"server"`).
    Server,
}

impl ExceptionType {
    /// The enum's Python value: `"network"`, `"tls"`, `"auth"` or `"server"`.
    pub const fn value(self) -> &'static str {
        match self {
            ExceptionType::Network => "network",
            ExceptionType::Tls => "tls",
            ExceptionType::Auth => "auth",
            ExceptionType::Server => "server",
        }
    }

    /// The member whose value is `value`.
    pub fn from_value(value: &str) -> Option<Self> {
        [Self::Network, Self::Tls, Self::Auth, Self::Server]
            .into_iter()
            .find(|t| t.value() == value)
    }
}

impl fmt::Display for ExceptionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value())
    }
}
