//! What a class's `__init__` does, as data: how a call binds its arguments
//! and which attributes it leaves on the instance, in the order Python sets
//! them. Argument binding (`Class::call`), the lenient constructors, the
//! attributes, serde and the pyo3 bridge all read these descriptions;
//! a class with a new kind of `__init__` is one more description here and
//! a table row naming it.

/// One `__init__` found in `redis.exceptions` (or a builtin's), described.
///
/// The table names them by kind (`init: Status`); see the associated
/// constants.
#[doc(hidden)]
#[derive(Debug, PartialEq, Eq)]
pub struct Init {
    /// The parameters after `self`.
    pub(crate) params: Params,
    /// The instance attributes a call sets, in order.
    pub(crate) attributes: &'static [Attr],
}

/// The parameters of an `__init__` after `self`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Params {
    /// `(*args, <keyword>=None, ...)`: `args` is every positional argument;
    /// each named keyword sets the attribute of the same name.
    Star {
        keywords: &'static [&'static str],
        other_keywords: OtherKeywords,
    },
    /// `(<name>, ..., <name>=None)`: `args` is `(first parameter,)`; the
    /// first `required` have no default.
    Named {
        names: &'static [&'static str],
        required: usize,
    },
}

/// What a `Params::Star` `__init__` does with a keyword it does not name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OtherKeywords {
    /// `BaseException.__init__`: `X() takes no keyword arguments`, for any keyword.
    NoneAccepted,
    /// `X.__init__() got an unexpected keyword argument 'k'`.
    Unexpected,
    /// `**kwargs`: accepted and ignored.
    Ignored,
}

/// An instance attribute an `__init__` sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attr {
    /// `error_type`: the class's [`crate::ExceptionType`].
    ErrorType,
    /// `status_code`: the `status_code=` argument (the reply's code when parsed).
    StatusCode,
    /// `message`: the first argument.
    Message,
    /// `lock_name`: the `lock_name=` argument.
    LockName,
    /// `slot_id`, read from the first argument (`"<slot> <host>:<port>"`).
    SlotId,
    /// `node_addr`: `(host, port)`.
    NodeAddr,
    /// `host`.
    Host,
    /// `port`.
    Port,
}

impl Attr {
    /// The attribute's Python name.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Attr::ErrorType => "error_type",
            Attr::StatusCode => "status_code",
            Attr::Message => "message",
            Attr::LockName => "lock_name",
            Attr::SlotId => "slot_id",
            Attr::NodeAddr => "node_addr",
            Attr::Host => "host",
            Attr::Port => "port",
        }
    }
}

#[allow(
    non_upper_case_globals,
    reason = "the table names an __init__ by its kind, as a word (`init: Status`)"
)]
impl Init {
    /// `BaseException.__init__(*args)`: no keywords, no attributes.
    pub const Builtin: &'static Init = &Init {
        params: Params::Star {
            keywords: &[],
            other_keywords: OtherKeywords::NoneAccepted,
        },
        attributes: &[],
    };
    /// `RedisError.__init__(*args, status_code=None)`.
    pub const Status: &'static Init = &Init {
        params: Params::Star {
            keywords: &["status_code"],
            other_keywords: OtherKeywords::Unexpected,
        },
        attributes: &[Attr::ErrorType, Attr::StatusCode],
    };
    /// `TryAgainError.__init__(*args, status_code=None, **kwargs)`.
    pub const StatusKw: &'static Init = &Init {
        params: Params::Star {
            keywords: &["status_code"],
            other_keywords: OtherKeywords::Ignored,
        },
        attributes: &[Attr::ErrorType, Attr::StatusCode],
    };
    /// `LockError.__init__(message=None, lock_name=None)`.
    pub const Lock: &'static Init = &Init {
        params: Params::Named {
            names: &["message", "lock_name"],
            required: 0,
        },
        attributes: &[
            Attr::ErrorType,
            Attr::StatusCode,
            Attr::Message,
            Attr::LockName,
        ],
    };
    /// `RedisClusterException.__init__(*args)`: `error_type` only.
    pub const Star: &'static Init = &Init {
        params: Params::Star {
            keywords: &[],
            other_keywords: OtherKeywords::Unexpected,
        },
        attributes: &[Attr::ErrorType],
    };
    /// `ClusterDownError.__init__(resp, status_code=None)`, not chaining up.
    pub const Resp: &'static Init = &Init {
        params: Params::Named {
            names: &["resp", "status_code"],
            required: 1,
        },
        attributes: &[Attr::Message, Attr::ErrorType, Attr::StatusCode],
    };
    /// `AskError.__init__(resp, status_code=None)`, reading `"<slot> <host>:<port>"`.
    pub const Redirect: &'static Init = &Init {
        params: Params::Named {
            names: &["resp", "status_code"],
            required: 1,
        },
        attributes: &[
            Attr::ErrorType,
            Attr::StatusCode,
            Attr::Message,
            Attr::SlotId,
            Attr::NodeAddr,
            Attr::Host,
            Attr::Port,
        ],
    };
}

impl Init {
    /// Whether a call sets `attr`.
    #[inline]
    pub(crate) fn sets(&self, attr: Attr) -> bool {
        self.attributes.contains(&attr)
    }

    /// Whether instances get a `status_code` attribute.
    #[inline]
    pub(crate) fn has_status_code(&self) -> bool {
        self.sets(Attr::StatusCode)
    }

    /// Whether the `message` instance attribute mirrors `args[0]`.
    #[inline]
    pub(crate) fn has_message(&self) -> bool {
        self.sets(Attr::Message)
    }

    /// Whether instances get a `lock_name` attribute.
    #[inline]
    pub(crate) fn has_lock_name(&self) -> bool {
        self.sets(Attr::LockName)
    }

    /// Whether the first argument is read as an `ASK`/`MOVED` payload.
    #[inline]
    pub(crate) fn parses_redirect(&self) -> bool {
        self.sets(Attr::SlotId)
    }

    /// The keyword that binds `attr` (`status_code=`, `lock_name=`), if any.
    pub(crate) fn keyword_of(&self, attr: Attr) -> Option<&'static str> {
        let names: &[&str] = match self.params {
            Params::Star { keywords, .. } => keywords,
            Params::Named { names, .. } => names,
        };
        names.iter().copied().find(|n| *n == attr.name())
    }
}
