//! Class metadata: names, bases, C3 MRO, `issubclass`, the registry, and
//! the statics of the built-in classes, made from the table in
//! `hierarchy.rs`.

use std::any::Any;
use std::fmt;
use std::sync::RwLock;

use once_cell::sync::{Lazy, OnceCell};

mod exception_type;
pub(crate) mod hierarchy;
mod init;
mod mro;
mod reaction;
mod release;

/// The classes examined while building MROs and scanning them, on this
/// thread (debug builds): what the tests bound a query's work by.
#[cfg(debug_assertions)]
pub use mro::work::count as mro_work;

pub use exception_type::ExceptionType;
use hierarchy::for_each_class;
pub use init::Init;
#[cfg(feature = "pyo3")]
pub(crate) use init::STATUS_CODE_SINCE;
pub(crate) use init::{ArgsRule, Attr, OtherKeywords, Params, Piece};
pub use mro::MroError;
use mro::{c3, depth_first};
pub use reaction::{Next, PyClient, Reaction, Refresh, Sleep};
pub use release::{RedisPy, ValkeyPy, VersionError};
#[allow(unused_imports)]
pub(crate) use release::{CLUSTER_CODES_IN_BASE_SINCE, STATUS_PARSE_SINCE, STATUS_WORD_SINCE};

/// What the erased error's layer attaches to a class declared with
/// [`crate::exception!`]: how to build and find its struct. Opaque here,
/// below that layer; the built-in classes have none (their structs are
/// found by index).
pub(crate) type Hooks = &'static (dyn Any + Send + Sync);

/// The index of every class declared outside this crate.
const NO_INDEX: u8 = u8::MAX;

/// A Python exception class: name, module, bases, MRO.
///
/// Every class struct has one, as [`crate::ExceptionClass::CLASS`]; an
/// instance gives its own through [`crate::RedisErrorExt::class`].
///
/// ```
/// use redis_exceptions::{Class, ExceptionClass, MovedError};
///
/// let moved = MovedError::CLASS;
/// let mro: Vec<&str> = moved.mro().iter().map(|c| c.name()).collect();
/// assert_eq!(
///     mro,
///     ["MovedError", "AskError", "ResponseError", "RedisError", "Exception", "BaseException"]
/// );
/// assert!(std::ptr::eq(Class::by_name("MovedError").unwrap(), moved));
/// assert_eq!(moved.to_string(), "<class 'redis.exceptions.MovedError'>");
/// ```
pub struct Class {
    name: &'static str,
    module: &'static str,
    bases: &'static [&'static Class],
    doc: &'static str,
    index: u8,
    ancestors: u64,
    init: Option<&'static Init>,
    sets_error_type: Option<ExceptionType>,
    own_repr: bool,
    class_message: Option<&'static str>,
    since: Option<RedisPy>,
    until: Option<RedisPy>,
    valkey_name: Option<&'static str>,
    hooks: Option<Hooks>,
    mro: OnceCell<Linearized>,
    resolved: OnceCell<Resolved>,
}

/// A class's MRO: the C3 order, or (with the error Python raises) the
/// depth-first order of its ancestors.
struct Linearized {
    order: Box<[&'static Class]>,
    error: Option<MroError>,
}

/// What a class inherits along its MRO, resolved once.
#[derive(Clone, Copy)]
struct Resolved {
    init: &'static Init,
    owner: &'static Class,
    error_type: Option<ExceptionType>,
    redis_repr: bool,
    class_message: Option<&'static str>,
}

/// A class declared outside this crate, as a const struct literal: what
/// [`crate::exception!`] writes, made into a [`Class`] by [`ClassDef::build`].
#[doc(hidden)]
pub struct ClassDef {
    /// `__name__`.
    pub name: &'static str,
    /// `__module__`.
    pub module: &'static str,
    /// `__bases__`.
    pub bases: &'static [&'static Class],
    /// The doc line.
    pub doc: &'static str,
    /// The struct's hooks (see `error/erased.rs`), `None` for a class with
    /// no struct of its own: its instances use its nearest built-in
    /// ancestor's struct.
    pub hooks: Option<&'static (dyn Any + Send + Sync)>,
}

impl ClassDef {
    /// The class: it inherits its `__init__`, `error_type`, `repr` and
    /// `message` along its MRO, as a Python class with a `pass` body does.
    pub const fn build(self) -> Class {
        let mut ancestors = 0;
        let mut i = 0;
        while i < self.bases.len() {
            ancestors |= self.bases[i].ancestors;
            i += 1;
        }
        let mut class = Class::new(
            self.name,
            self.module,
            self.bases,
            self.doc,
            NO_INDEX,
            ancestors,
        );
        class.hooks = self.hooks;
        class
    }
}

impl Class {
    const fn new(
        name: &'static str,
        module: &'static str,
        bases: &'static [&'static Class],
        doc: &'static str,
        index: u8,
        ancestors: u64,
    ) -> Self {
        Class {
            name,
            module,
            bases,
            doc,
            index,
            ancestors,
            init: None,
            sets_error_type: None,
            own_repr: false,
            class_message: None,
            // The crate's classes exist from the oldest release on unless
            // their row says otherwise; user classes belong to no release.
            since: if index == NO_INDEX {
                None
            } else {
                Some(RedisPy::OLDEST)
            },
            until: None,
            valkey_name: None,
            hooks: None,
            mro: OnceCell::new(),
            resolved: OnceCell::new(),
        }
    }

    /// The table's `init` column.
    const fn init_column(mut self, init: &'static Init) -> Self {
        self.init = Some(init);
        self
    }

    /// The table's `error_type` column.
    const fn error_type_column(mut self, t: ExceptionType) -> Self {
        self.sets_error_type = Some(t);
        self
    }

    /// The table's `repr: own` column.
    const fn repr_column(mut self) -> Self {
        self.own_repr = true;
        self
    }

    /// The table's `since` column.
    const fn since_column(mut self, release: RedisPy) -> Self {
        self.since = Some(release);
        self
    }

    /// The table's `until` column.
    const fn until_column(mut self, release: RedisPy) -> Self {
        self.until = Some(release);
        self
    }

    /// The table's `valkey` column.
    const fn valkey_column(mut self, name: &'static str) -> Self {
        self.valkey_name = Some(name);
        self
    }

    /// The table's `name` column.
    const fn name_column(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// The table's `message` column.
    const fn message_column(mut self, message: &'static str) -> Self {
        self.class_message = Some(message);
        self
    }

    /// The set of built-in classes this class derives from, as bits.
    #[inline(always)]
    pub(crate) const fn ancestor_bits(&self) -> u64 {
        self.ancestors
    }

    /// `__name__`, e.g. `"MovedError"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `__module__`: `"redis.exceptions"`, `"builtins"`, or a user crate's path.
    pub fn module(&self) -> &'static str {
        self.module
    }

    /// `__qualname__` with its module: `"redis.exceptions.MovedError"`.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.module, self.name)
    }

    /// `__bases__`, in declaration order (without `object`).
    pub fn bases(&self) -> &'static [&'static Class] {
        self.bases
    }

    /// One line saying what the class is for.
    pub fn doc(&self) -> &'static str {
        self.doc.trim()
    }

    /// The redis-py release that added the class: the oldest release
    /// covered for a class every release has, `None` for a class declared
    /// with [`crate::exception!`].
    ///
    /// ```
    /// use redis_exceptions::{Class, ExceptionClass, MaxClientsReachedError, RedisPy};
    ///
    /// assert_eq!(MaxClientsReachedError::CLASS.since(), Some(RedisPy::V8_2));
    /// assert!(!MaxClientsReachedError::CLASS.exists_in(RedisPy::V8_1));
    /// ```
    pub fn since(&self) -> Option<RedisPy> {
        self.since
    }

    /// The redis-py release that removed the class, if one did.
    pub fn until(&self) -> Option<RedisPy> {
        self.until
    }

    /// The class as valkey-py names it: `ValkeyError` for `RedisError`,
    /// `ValkeyClusterException` for `RedisClusterException`, the same
    /// name for the others.
    pub fn valkey_name(&self) -> &'static str {
        self.valkey_name.unwrap_or(self.name)
    }

    /// The class's module in valkey-py: `valkey.exceptions` for
    /// `redis.exceptions`, `valkey.sentinel` for `redis.sentinel`, ...
    pub fn valkey_module(&self) -> std::borrow::Cow<'static, str> {
        match self.module.strip_prefix("redis") {
            Some(rest) if rest.is_empty() || rest.starts_with('.') => {
                std::borrow::Cow::Owned(format!("valkey{rest}"))
            }
            _ => std::borrow::Cow::Borrowed(self.module),
        }
    }

    /// Whether `release` has this class (always false for a user class).
    pub fn exists_in(&self, release: RedisPy) -> bool {
        self.since.is_some_and(|since| since <= release)
            && self.until.is_none_or(|until| release < until)
    }

    /// Whether the class is one of those this crate declares.
    pub fn is_builtin(&self) -> bool {
        self.index != NO_INDEX
    }

    /// `issubclass(self, other)`: `other` is `self` or one of its ancestors.
    ///
    /// A built-in `other` is one bit test; a user class is looked for in
    /// `self`'s MRO (computed once per class), so the cost is at most one
    /// pointer comparison per class of the MRO, and nothing is allocated
    /// once the MRO is known (building an instance computes it).
    #[inline]
    pub fn is_subclass_of(&'static self, other: &Class) -> bool {
        if other.index != NO_INDEX {
            return self.ancestors & (1 << other.index) != 0;
        }
        // A built-in class has no user ancestor, and a subclass derives from
        // every built-in class its ancestors derive from.
        if self.index != NO_INDEX || other.ancestors & !self.ancestors != 0 {
            return false;
        }
        self.mro().iter().any(|c| mro::same(c, other))
    }

    /// `__mro__` (without `object`), by C3 linearization.
    ///
    /// For a user class whose bases admit no consistent order (Python refuses
    /// to create such a class; see [`Class::try_mro`]), this falls back to the
    /// class followed by its ancestors in depth-first, left-to-right order.
    pub fn mro(&'static self) -> &'static [&'static Class] {
        &self.linearized().order
    }

    /// `__mro__`, or the `TypeError` Python raises when the bases cannot be
    /// linearized.
    pub fn try_mro(&'static self) -> Result<&'static [&'static Class], MroError> {
        let lin = self.linearized();
        match &lin.error {
            None => Ok(&lin.order),
            Some(e) => Err(e.clone()),
        }
    }

    /// The MRO, computed on first use and kept with the class.
    fn linearized(&'static self) -> &'static Linearized {
        self.mro.get_or_init(|| match c3(self) {
            Ok(order) => Linearized {
                order: order.into_boxed_slice(),
                error: None,
            },
            Err(error) => Linearized {
                order: depth_first(self).into_boxed_slice(),
                error: Some(error),
            },
        })
    }

    fn resolved(&'static self) -> &'static Resolved {
        self.resolved.get_or_init(|| {
            let mro = self.mro();
            let (init, owner) = mro
                .iter()
                .find_map(|c| c.init.map(|i| (i, *c)))
                .unwrap_or((Init::Builtin, self));
            // The chain of `__init__`s ends at the first builtin one; the
            // nearest assignment along it wins.
            let mut error_type = None;
            for c in mro {
                if let Some(t) = c.sets_error_type {
                    error_type = Some(t);
                    break;
                }
                if c.init == Some(Init::Builtin) {
                    break;
                }
            }
            let redis_repr = mro
                .iter()
                .find(|c| c.own_repr || c.init == Some(Init::Builtin))
                .is_some_and(|c| c.own_repr);
            Resolved {
                init,
                owner,
                error_type,
                redis_repr,
                class_message: mro.iter().find_map(|c| c.class_message),
            }
        })
    }

    /// The `__init__` that runs for a call of this class (the first class
    /// in the MRO that defines one) and that class.
    pub(crate) fn init(&'static self) -> (&'static Init, &'static Class) {
        let r = self.resolved();
        (r.init, r.owner)
    }

    /// The `error_type` a new instance gets, `None` when the class's
    /// `__init__` chain sets none (Python's own classes).
    pub fn default_error_type(&'static self) -> Option<ExceptionType> {
        self.resolved().error_type
    }

    /// Whether `repr()` is redis-py's `error_type:ClassName` form (inherited
    /// from `RedisError` or `RedisClusterException`) rather than Python's
    /// `ClassName(args)`.
    pub(crate) fn redis_repr(&'static self) -> bool {
        self.resolved().redis_repr
    }

    /// [`Class::redis_repr`] on `release`, whose classes may not define
    /// `__repr__` yet ([`RedisPy::has_own_repr`]).
    #[inline]
    pub(crate) fn redis_repr_in(&'static self, release: RedisPy) -> bool {
        release.has_own_repr() && self.redis_repr()
    }

    /// The class-level `message` attribute, looked up along the MRO
    /// (`ClusterCrossSlotError` has one).
    pub fn class_message(&'static self) -> Option<&'static str> {
        self.resolved().class_message
    }

    /// The position in the table of a built-in class, `None` for others.
    #[inline]
    pub(crate) fn index(&self) -> Option<usize> {
        (self.index != NO_INDEX).then_some(usize::from(self.index))
    }

    /// What the layers above attached to a class declared outside this crate.
    pub(crate) fn hooks(&self) -> Option<Hooks> {
        self.hooks
    }

    /// The first `Some` that `f` gives for a class: the built-in classes,
    /// then those registered with [`Class::register`] (read under the
    /// registry's lock, nothing allocated).
    pub(crate) fn find_known<T>(mut f: impl FnMut(&'static Class) -> Option<T>) -> Option<T> {
        if let Some(found) = BUILTIN.iter().find_map(|c| f(c)) {
            return Some(found);
        }
        let registered = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
        registered.iter().find_map(|c| f(c))
    }

    /// Every class of this crate, in the table's order: the builtins
    /// `BaseException`, `Exception`, `ValueError`, the classes of
    /// `redis.exceptions` in Python's definition order, then the client's
    /// other modules' (`redis.sentinel`, `redis.asyncio.sentinel`,
    /// `redis.auth.err`, ...), of every release covered; filter with
    /// [`Class::exists_in`] for one release.
    pub fn all() -> impl ExactSizeIterator<Item = &'static Class> + Clone {
        BUILTIN.iter().copied()
    }

    /// Looks a class up by `__name__`: the crate's first, in the table's
    /// order, then those added with [`Class::register`].
    ///
    /// Two modules define classes of the same name: `MasterNotFoundError`
    /// and `SlaveNotFoundError` are in `redis.sentinel` and, as distinct
    /// classes, in `redis.asyncio.sentinel`. A name finds the first,
    /// `redis.sentinel`'s; [`Class::by_qualified_name`] finds either.
    pub fn by_name(name: &str) -> Option<&'static Class> {
        if let Some(c) = BUILTIN.iter().find(|c| c.name == name) {
            return Some(c);
        }
        REGISTERED
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied()
            .find(|c| c.name == name)
    }

    /// Looks a class up by module and name:
    /// `"redis.asyncio.sentinel.MasterNotFoundError"`, `"builtins.ValueError"`.
    ///
    /// ```
    /// use redis_exceptions::{AsyncMasterNotFoundError, Class, ExceptionClass};
    ///
    /// let c = Class::by_qualified_name("redis.asyncio.sentinel.MasterNotFoundError").unwrap();
    /// assert!(std::ptr::eq(c, AsyncMasterNotFoundError::CLASS));
    /// assert_eq!(Class::by_name("MasterNotFoundError").unwrap().module(), "redis.sentinel");
    /// ```
    pub fn by_qualified_name(name: &str) -> Option<&'static Class> {
        let (module, short) = name.rsplit_once('.')?;
        Class::find_known(|c| (c.module() == module && c.name() == short).then_some(c))
    }

    /// Makes a user class (declared with [`crate::exception!`]) known to
    /// [`Class::by_name`] and so to construction by name. Registering a
    /// class twice is harmless; a different class with the same name is
    /// refused and the one already known is returned in `Err`, so that a
    /// name always resolves to one class, whatever threads race to register.
    pub fn register(class: &'static Class) -> Result<(), &'static Class> {
        let same = |known: &'static Class| {
            if std::ptr::eq(known, class) {
                Ok(())
            } else {
                Err(known)
            }
        };
        if let Some(builtin) = BUILTIN.iter().find(|c| c.name == class.name) {
            return same(builtin);
        }
        // The check and the insertion under one write lock.
        let mut list = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = list.iter().find(|c| c.name == class.name) {
            return same(known);
        }
        list.push(class);
        Ok(())
    }
}

impl PartialEq for Class {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Class {}

impl std::hash::Hash for Class {
    /// By identity, as `==` compares: every class is one static. (Clippy's
    /// `mutable_key_type` flags `HashSet<&Class>` for the lazily computed
    /// MRO inside, which is not part of the identity; this crate lists
    /// `redis_exceptions::Class` under `ignore-interior-mutability` in its
    /// `clippy.toml`, and so can yours.)
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(self, state)
    }
}

impl fmt::Debug for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<class '{}.{}'>", self.module, self.name)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

static REGISTERED: Lazy<RwLock<Vec<&'static Class>>> = Lazy::new(|| RwLock::new(Vec::new()));

/// The built-in classes' statics, from the whole rows of the table: the
/// one reader of its columns.
macro_rules! define_statics {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ( $($base:ident),* ) in $m0:ident $(. $m:ident)* $({ $($key:ident : $value:tt),* $(,)? })?;
    )*) => {
        /// Position of each built-in class in the table.
        #[allow(non_camel_case_types, clippy::enum_variant_names, reason = "variants are Python class names")]
        #[derive(Clone, Copy)]
        #[repr(u8)]
        pub(crate) enum Index { $($name,)* }

        /// Ancestor bit sets, computed at compile time from the table.
        #[allow(non_upper_case_globals, reason = "constants are named after Python classes")]
        pub(crate) mod ancestors {
            use super::Index;
            $(pub(crate) const $name: u64 = (1u64 << Index::$name as u8) $(| $base)*;)*
        }

        /// The class metadata of the built-in classes.
        #[allow(non_upper_case_globals, reason = "statics are named after Python classes")]
        pub(crate) mod statics {
            use super::*;
            $(
                pub(crate) static $name: Class = columns!(
                    Class::new(
                        stringify!($name),
                        concat!(stringify!($m0) $(, ".", stringify!($m))*),
                        &[$(&$base),*],
                        concat!($($doc),*),
                        Index::$name as u8,
                        ancestors::$name,
                    )
                    $($(, $key $value)*)?
                );
            )*
        }

        static BUILTIN: &[&Class] = &[$(&statics::$name),*];

        const _: () = assert!(BUILTIN.len() <= 64, "ancestor sets are u64 bit sets");
    };
}

/// Applies a row's named columns to its class, one builder call each.
macro_rules! columns {
    ($class:expr) => { $class };
    ($class:expr, init $kind:ident $($rest:tt)*) => {
        columns!($class.init_column(Init::$kind) $($rest)*)
    };
    ($class:expr, error_type $t:ident $($rest:tt)*) => {
        columns!($class.error_type_column(ExceptionType::$t) $($rest)*)
    };
    ($class:expr, repr own $($rest:tt)*) => {
        columns!($class.repr_column() $($rest)*)
    };
    ($class:expr, message $m:literal $($rest:tt)*) => {
        columns!($class.message_column($m) $($rest)*)
    };
    ($class:expr, since $v:literal $($rest:tt)*) => {
        columns!($class.since_column(RedisPy::from_column(stringify!($v))) $($rest)*)
    };
    ($class:expr, until $v:literal $($rest:tt)*) => {
        columns!($class.until_column(RedisPy::from_column(stringify!($v))) $($rest)*)
    };
    ($class:expr, valkey $v:ident $($rest:tt)*) => {
        columns!($class.valkey_column(stringify!($v)) $($rest)*)
    };
    ($class:expr, name $v:literal $($rest:tt)*) => {
        columns!($class.name_column($v) $($rest)*)
    };
}

for_each_class!(define_statics);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_lines_are_trimmed_sentences() {
        for c in Class::all() {
            assert!(c.doc().ends_with('.'), "{}: {:?}", c.name(), c.doc());
        }
    }

    #[test]
    fn indexes_follow_the_table() {
        for (i, c) in Class::all().enumerate() {
            assert_eq!(usize::from(c.index), i);
            assert_ne!(c.ancestors & (1 << i), 0, "{} has its own bit", c.name());
        }
    }
}
