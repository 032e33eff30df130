//! What a class's `__init__` does, as data: how a call binds its arguments
//! and which attributes it leaves on the instance, in the order Python sets
//! them. Argument binding (`Class::call`), the lenient constructors, the
//! attributes, serde and the pyo3 bridge all read these descriptions;
//! a class with a new kind of `__init__` is one more description here and
//! a table row naming it.

/// The first redis-py release whose `__init__`s take `status_code=` (and
/// set `error_type`); before it, most classes take Python's own
/// `BaseException.__init__` (the `inits` column of `src/class/releases.txt`).
pub(crate) const STATUS_CODE_SINCE: crate::class::RedisPy = super::release::STATUS_INIT_SINCE;

impl crate::class::RedisPy {
    /// Whether this release's `__init__`s set `error_type` and
    /// `status_code` ([`STATUS_CODE_SINCE`]).
    #[inline]
    pub(crate) fn sets_status_attributes(self) -> bool {
        STATUS_CODE_SINCE <= self
    }
}

/// One `__init__` found in `redis.exceptions` (or a builtin's), described.
///
/// The table names them by kind (`init: Status`); see the associated
/// constants.
#[doc(hidden)]
#[derive(Debug, PartialEq, Eq)]
pub struct Init {
    /// The parameters after `self`.
    pub(crate) params: Params,
    /// What `args` becomes.
    pub(crate) args: ArgsRule,
    /// The instance attributes a call sets, in order.
    pub(crate) attributes: &'static [Attr],
}

/// What an `__init__` leaves in `args`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgsRule {
    /// The positional arguments as given (`BaseException.__new__` keeps
    /// them; the `__init__` does not call its base with others).
    Positional,
    /// `(first parameter,)`: the `__init__` calls its base with it.
    First,
    /// `(prefix + sep.join(first parameter),)`.
    Joined {
        prefix: &'static str,
        sep: &'static str,
    },
    /// `(message or <template>,)` with the template's `{0}`, `{1}` the
    /// first parameters' `str()`: the last parameter is `message`.
    MessageOr { template: &'static [Piece] },
}

/// A part of an [`ArgsRule::MessageOr`] template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Literal text.
    Text(&'static str),
    /// `str()` of the parameter at this position.
    Param(usize),
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
    /// An attribute holding the parameter of the same name as given.
    Param(&'static str),
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
            Attr::Param(name) => name,
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
        args: ArgsRule::Positional,
        attributes: &[],
    };
    /// `RedisError.__init__(*args, status_code=None)`.
    pub const Status: &'static Init = &Init {
        params: Params::Star {
            keywords: &["status_code"],
            other_keywords: OtherKeywords::Unexpected,
        },
        args: ArgsRule::Positional,
        attributes: &[Attr::ErrorType, Attr::StatusCode],
    };
    /// `TryAgainError.__init__(*args, status_code=None, **kwargs)`.
    pub const StatusKw: &'static Init = &Init {
        params: Params::Star {
            keywords: &["status_code"],
            other_keywords: OtherKeywords::Ignored,
        },
        args: ArgsRule::Positional,
        attributes: &[Attr::ErrorType, Attr::StatusCode],
    };
    /// `LockError.__init__(message=None, lock_name=None)`.
    pub const Lock: &'static Init = &Init {
        params: Params::Named {
            names: &["message", "lock_name"],
            required: 0,
        },
        args: ArgsRule::First,
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
        args: ArgsRule::Positional,
        attributes: &[Attr::ErrorType],
    };
    /// `ClusterDownError.__init__(resp, status_code=None)`, not chaining up.
    pub const Resp: &'static Init = &Init {
        params: Params::Named {
            names: &["resp", "status_code"],
            required: 1,
        },
        args: ArgsRule::First,
        attributes: &[Attr::Message, Attr::ErrorType, Attr::StatusCode],
    };
    /// `AskError.__init__(resp, status_code=None)`, reading `"<slot> <host>:<port>"`.
    pub const Redirect: &'static Init = &Init {
        params: Params::Named {
            names: &["resp", "status_code"],
            required: 1,
        },
        args: ArgsRule::First,
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
    /// `RequestTokenErr.__init__(*args)`: only calls its base.
    pub const PlainStar: &'static Init = &Init {
        params: Params::Star {
            keywords: &[],
            other_keywords: OtherKeywords::Unexpected,
        },
        args: ArgsRule::Positional,
        attributes: &[],
    };
    /// `VersionMismatchException.__init__(version)`: sets `version`, keeps `args`.
    pub const Version: &'static Init = &Init {
        params: Params::Named {
            names: &["version"],
            required: 1,
        },
        args: ArgsRule::Positional,
        attributes: &[Attr::Param("version")],
    };
    /// `InvalidTokenSchemaErr.__init__(missing_fields=[])`.
    pub const MissingFields: &'static Init = &Init {
        params: Params::Named {
            names: &["missing_fields"],
            required: 0,
        },
        args: ArgsRule::Joined {
            prefix: "Unexpected token schema. Following fields are missing: ",
            sep: ", ",
        },
        attributes: &[],
    };
    /// `EventException.__init__(exception, event)`.
    pub const Event: &'static Init = &Init {
        params: Params::Named {
            names: &["exception", "event"],
            required: 2,
        },
        args: ArgsRule::First,
        attributes: &[Attr::Param("exception"), Attr::Param("event")],
    };
    /// `HttpError.__init__(status, url, message=None)`.
    pub const Http: &'static Init = &Init {
        params: Params::Named {
            names: &["status", "url", "message"],
            required: 2,
        },
        args: ArgsRule::MessageOr {
            template: &[
                Piece::Text("HTTP "),
                Piece::Param(0),
                Piece::Text(" for "),
                Piece::Param(1),
            ],
        },
        attributes: &[Attr::Param("status"), Attr::Param("url"), Attr::Message],
    };
    /// `UnhealthyDatabaseException.__init__(message, database, original_exception)`.
    pub const Unhealthy: &'static Init = &Init {
        params: Params::Named {
            names: &["message", "database", "original_exception"],
            required: 3,
        },
        args: ArgsRule::First,
        attributes: &[Attr::Param("database"), Attr::Param("original_exception")],
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

    /// The attributes a call sets on `release`, in order: before
    /// [`STATUS_CODE_SINCE`] redis-py's `__init__`s set no `error_type` and
    /// no `status_code` (the fixtures of every release,
    /// `tests/fixtures/releases/*/replies.json`, record the same `vars()`
    /// otherwise).
    pub(crate) fn attributes_in(
        &self,
        release: crate::class::RedisPy,
    ) -> impl Iterator<Item = Attr> + '_ {
        let old = !release.sets_status_attributes();
        self.attributes
            .iter()
            .copied()
            .filter(move |a| !(old && matches!(a, Attr::ErrorType | Attr::StatusCode)))
    }

    /// Whether a call on `release` sets `attr`.
    #[inline]
    pub(crate) fn sets_in(&self, attr: Attr, release: crate::class::RedisPy) -> bool {
        self.attributes_in(release).any(|a| a == attr)
    }

    /// The attributes that hold a parameter as given, by name.
    pub(crate) fn params_kept(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.attributes.iter().filter_map(|a| match a {
            Attr::Param(name) => Some(*name),
            _ => None,
        })
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
