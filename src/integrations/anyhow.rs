//! Feature `anyhow`: [`except!`](crate::except) on an `anyhow::Error`.

use crate::class::hierarchy::for_each_class;
use crate::error::chain::exception_of;
use crate::error::erased::Error;
use crate::error::except::{Catch, ClassSet, Subject};
use crate::error::structs::*;
use crate::error::traits::{ExceptionClass, RedisErrorExt};
use crate::instance::state::BoxError;

/// `peek` and `take` over the built-in class structs.
macro_rules! by_struct {
    ($( $(#[doc = $doc:literal])* $name:ident ( $($base:ident),* ) $module:ident,
        $init:tt, $et:tt, $repr:tt, $message:tt; )*) => {
        /// The exception of this crate an `anyhow::Error` holds: an
        /// [`Error`] or a built-in class struct, also under `.context(...)`
        /// layers (what anyhow's own `downcast_ref` sees), or a registered
        /// user class held directly.
        fn peek(e: &anyhow::Error) -> Option<&dyn RedisErrorExt> {
            if let Some(erased) = e.downcast_ref::<Error>() {
                return Some(erased.as_dyn());
            }
            $(if let Some(found) = e.downcast_ref::<$name>() {
                return Some(found);
            })*
            exception_of(e.as_ref()).or_else(|| boxed(e))
        }

        /// The exception by value: anyhow's `downcast` drops the context
        /// layers of the matched error; a user class struct is copied
        /// without its cause.
        fn take(e: anyhow::Error) -> Result<Error, anyhow::Error> {
            let e = match e.downcast::<Error>() {
                Ok(erased) => return Ok(erased),
                Err(e) => e,
            };
            $(let e = match e.downcast::<$name>() {
                Ok(found) => return Ok(Error::from(found)),
                Err(e) => e,
            };)*
            if boxed(&e).is_some() {
                return take_boxed(e);
            }
            match exception_of(e.as_ref()) {
                Some(found) => Ok(found.to_error()),
                None => Err(e),
            }
        }
    };
}

for_each_class!(by_struct);

/// The exception of this crate inside a boxed error that anyhow holds as
/// it is (`anyhow::Error::from_boxed`, `anyhow!(boxed)`): anyhow's
/// `as_ref()` and `source()` skip the box's content, only `downcast_ref`
/// of the box itself reaches it.
fn boxed(e: &anyhow::Error) -> Option<&dyn RedisErrorExt> {
    let inner = e.downcast_ref::<BoxError>()?;
    exception_of(&**inner)
}

/// [`boxed`] by value: the box's content, as `Box<dyn Error>` gives it up.
fn take_boxed(e: anyhow::Error) -> Result<Error, anyhow::Error> {
    match e.downcast::<BoxError>() {
        Ok(inner) => inner.__take().map_err(anyhow::Error::from_boxed),
        // Under context layers that `downcast` does not see through: a copy.
        Err(e) => match boxed(&e) {
            Some(found) => Ok(found.to_error()),
            None => Err(e),
        },
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "anyhow")))]
impl Catch for anyhow::Error {
    type Subject = anyhow::Error;

    fn __subject(self) -> Self {
        self
    }
}

impl Subject for anyhow::Error {
    type Rest = anyhow::Error;

    fn __is_a<T: ExceptionClass>(&self) -> bool {
        peek(self).is_some_and(|e| e.is_a::<T>())
    }

    fn __in(&self, set: &ClassSet) -> bool {
        peek(self).is_some_and(|e| set.matches(e))
    }

    fn __take(self) -> Result<Error, anyhow::Error> {
        take(self)
    }

    fn __rest(self) -> Self {
        self
    }
}
