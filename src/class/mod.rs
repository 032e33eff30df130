//! Class metadata: names, bases, C3 MRO, `issubclass`, the registry.

use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::sync::RwLock;

use once_cell::sync::{Lazy, OnceCell};

pub(crate) mod hierarchy;

use hierarchy::{for_each_class, module_name};

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

/// The kinds of `__init__` found in `redis.exceptions`: what a call binds and
/// which attributes it leaves on the instance.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// `BaseException.__init__(*args)`: no keywords; no attributes.
    Builtin,
    /// `(*args, status_code=None)`: `error_type`, `status_code`.
    Status,
    /// `(*args, status_code=None, **kwargs)`: like `Status`, other keywords ignored.
    StatusKw,
    /// `(message=None, lock_name=None)`: `args == (message,)`, plus `message`, `lock_name`.
    Lock,
    /// `(*args)` with no keywords: `error_type` only.
    Star,
    /// `(resp, status_code=None)` not chaining up: `args == (resp,)`, `message`.
    Resp,
    /// `(resp, status_code=None)` parsing `"<slot> <host>:<port>"`.
    Redirect,
}

impl Init {
    /// Whether instances get a `status_code` attribute.
    pub(crate) fn has_status_code(self) -> bool {
        !matches!(self, Init::Builtin | Init::Star)
    }

    /// Whether the `message` instance attribute mirrors `args[0]`.
    pub(crate) fn has_message(self) -> bool {
        matches!(self, Init::Lock | Init::Resp | Init::Redirect)
    }
}

/// What the layers above attach to a class declared outside this crate:
/// the erased error's constructor and cast (`ClassHooks` in `error.rs`),
/// opaque at this layer. The built-in classes carry `&()`: the erased error
/// keeps their hooks in a table of its own, by index.
#[doc(hidden)]
pub type Hooks = &'static (dyn Any + Send + Sync);

/// The index of every class declared outside this crate.
pub const NO_INDEX: u8 = u8::MAX;

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
    init: Option<Init>,
    sets_error_type: Option<ExceptionType>,
    own_repr: bool,
    class_message: Option<&'static str>,
    hooks: Hooks,
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
    init: Init,
    owner: &'static Class,
    error_type: Option<ExceptionType>,
    redis_repr: bool,
    class_message: Option<&'static str>,
}

impl Class {
    /// Builds class metadata; used by [`crate::exception!`] for user classes.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments, reason = "one argument per table column")]
    pub const fn __new(
        name: &'static str,
        module: &'static str,
        bases: &'static [&'static Class],
        doc: &'static str,
        index: u8,
        ancestors: u64,
        init: Option<Init>,
        sets_error_type: Option<ExceptionType>,
        own_repr: bool,
        class_message: Option<&'static str>,
        hooks: Hooks,
    ) -> Self {
        Class {
            name,
            module,
            bases,
            doc,
            index,
            ancestors,
            init,
            sets_error_type,
            own_repr,
            class_message,
            hooks,
            mro: OnceCell::new(),
            resolved: OnceCell::new(),
        }
    }

    /// The union of the bases' ancestor bits, for a user class.
    #[doc(hidden)]
    pub const fn __ancestors_of(bases: &[&Class]) -> u64 {
        let mut bits = 0;
        let mut i = 0;
        while i < bases.len() {
            bits |= bases[i].ancestors;
            i += 1;
        }
        bits
    }

    /// The set of built-in classes this class derives from, as bits.
    #[doc(hidden)]
    #[inline(always)]
    pub const fn __ancestors(&self) -> u64 {
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

    /// Whether the class is one of the 39 this crate declares.
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
        self.mro().iter().any(|c| {
            // Debug builds count the scan too; release builds only count
            // MRO construction, which happens once per class.
            #[cfg(debug_assertions)]
            count_work(1);
            std::ptr::eq(*c, other)
        })
    }

    /// The number of classes this thread has examined so far while
    /// building MROs (C3 merge, depth-first fallback, copying the bases'
    /// MROs) and, in debug builds, while scanning an MRO in
    /// [`Class::is_subclass_of`]. Tests read it before and after a query
    /// to bound the work the query did, whatever it had to build.
    #[doc(hidden)]
    pub fn __work() -> u64 {
        WORK.with(Cell::get)
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
    pub(crate) fn init(&'static self) -> (Init, &'static Class) {
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
    pub(crate) fn hooks(&self) -> Hooks {
        self.hooks
    }

    /// The built-in classes and those registered with [`Class::register`].
    pub(crate) fn known() -> Vec<&'static Class> {
        let registered = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
        BUILTIN
            .iter()
            .copied()
            .chain(registered.iter().copied())
            .collect()
    }

    /// The 39 classes of this crate in Python's definition order: the
    /// builtins `BaseException`, `Exception`, `ValueError`, then the 36
    /// classes of `redis.exceptions`.
    pub fn all() -> impl ExactSizeIterator<Item = &'static Class> + Clone {
        BUILTIN.iter().copied()
    }

    /// Looks a class up by `__name__`: the built-in ones first, then those
    /// added with [`Class::register`].
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

/// Python's `TypeError` for bases that admit no C3 linearization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MroError {
    bases: Vec<&'static str>,
}

impl fmt::Display for MroError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Cannot create a consistent method resolution order (MRO) for bases {}",
            self.bases.join(", ")
        )
    }
}

impl std::error::Error for MroError {}

thread_local! {
    /// Classes examined on this thread; see [`Class::__work`].
    static WORK: Cell<u64> = const { Cell::new(0) };
}

/// Adds `n` classes examined to this thread's work count.
#[inline(always)]
fn count_work(n: usize) {
    WORK.with(|w| w.set(w.get().saturating_add(n as u64)));
}

/// `class` then its ancestors, depth first and left to right, each once.
fn depth_first(class: &'static Class) -> Vec<&'static Class> {
    let mut order: Vec<&'static Class> = Vec::new();
    let mut stack = vec![class];
    while let Some(c) = stack.pop() {
        // The popped class, and each class of `order` compared with it.
        let seen = order.iter().position(|o| std::ptr::eq(*o, c));
        count_work(1 + seen.map_or(order.len(), |i| i + 1));
        if seen.is_none() {
            order.push(c);
            count_work(c.bases.len());
            stack.extend(c.bases.iter().rev());
        }
    }
    order
}

/// C3 linearization, as `type.__mro__` computes it.
///
/// Every class examined is counted (see [`Class::__work`]): each class of
/// the bases' MROs copied in, each head tried and each tail class it is
/// compared with, and each list checked while dropping a chosen head.
fn c3(class: &'static Class) -> Result<Vec<&'static Class>, MroError> {
    let mut seqs: Vec<Vec<&'static Class>> = Vec::with_capacity(class.bases.len() + 1);
    for base in class.bases {
        let mro = base.try_mro()?;
        count_work(mro.len());
        seqs.push(mro.to_vec());
    }
    count_work(class.bases.len());
    seqs.push(class.bases.to_vec());
    let mut out = vec![class];
    loop {
        count_work(seqs.len());
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Ok(out);
        }
        let head = seqs.iter().map(|s| s[0]).find(|cand| {
            count_work(1);
            !seqs.iter().any(|s| {
                s[1..].iter().any(|c| {
                    count_work(1);
                    std::ptr::eq(*c, *cand)
                })
            })
        });
        let Some(head) = head else {
            let mut bases: Vec<&'static str> = Vec::new();
            for s in &seqs {
                if !bases.contains(&s[0].name) {
                    bases.push(s[0].name);
                }
            }
            return Err(MroError { bases });
        };
        out.push(head);
        count_work(seqs.len());
        for s in &mut seqs {
            if std::ptr::eq(s[0], head) {
                s.remove(0);
            }
        }
    }
}

static REGISTERED: Lazy<RwLock<Vec<&'static Class>>> = Lazy::new(|| RwLock::new(Vec::new()));

macro_rules! opt_type {
    (-) => {
        None
    };
    ($t:ident) => {
        Some(ExceptionType::$t)
    };
}

macro_rules! opt_init {
    (-) => {
        None
    };
    ($t:ident) => {
        Some(Init::$t)
    };
}

macro_rules! opt_message {
    (-) => {
        None
    };
    ($m:literal) => {
        Some($m)
    };
}

macro_rules! is_repr {
    (-) => {
        false
    };
    (repr) => {
        true
    };
}

macro_rules! define_statics {
    ($( $(#[doc = $doc:literal])* $name:ident ( $($base:ident),* ) $module:ident,
        $init:tt, $et:tt, $repr:tt, $message:tt; )*) => {
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
                pub(crate) static $name: Class = Class::__new(
                    stringify!($name),
                    module_name!($module),
                    &[$(&$base),*],
                    concat!($($doc),*),
                    Index::$name as u8,
                    ancestors::$name,
                    opt_init!($init),
                    opt_type!($et),
                    is_repr!($repr),
                    opt_message!($message),
                    &(),
                );
            )*
        }

        static BUILTIN: &[&Class] = &[$(&statics::$name),*];

        const _: () = assert!(BUILTIN.len() <= 64, "ancestor sets are u64 bit sets");
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
