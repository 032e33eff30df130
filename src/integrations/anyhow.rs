//! Feature `anyhow`: [`except!`](crate::except) on an `anyhow::Error`.

use crate::class::hierarchy::for_each_class;
use crate::error::chain::exception_of;
use crate::error::erased::Error;
use crate::error::except::{take_boxed as take_box, Catch, ClassSet, Subject};
use crate::error::structs::*;
use crate::error::traits::{ExceptionClass, RedisErrorExt};
use crate::instance::state::BoxError;
use crate::integrations::client_errors::{client_error, Downcast};

/// anyhow's own downcasts (which see through `.context(...)` layers), one
/// per built-in class struct, by the class's index.
macro_rules! downcasts {
    ($($name:ident),*) => {
        static PEEK: &[for<'a> fn(&'a anyhow::Error) -> Option<&'a dyn RedisErrorExt>] =
            &[$(|e| e.downcast_ref::<$name>().map(|x| x as &dyn RedisErrorExt)),*];
        static TAKE: &[fn(anyhow::Error) -> Result<Error, anyhow::Error>] =
            &[$(|e| e.downcast::<$name>().map(Error::from)),*];
    };
}

for_each_class!(names: downcasts);

/// The exception of this crate an `anyhow::Error` holds: an [`Error`] or
/// a built-in class struct, also under `.context(...)` layers (what
/// anyhow's own `downcast_ref` sees), or a registered user class held
/// directly; with the index of the built-in struct that holds it.
fn peek(e: &anyhow::Error) -> Option<(Option<usize>, &dyn RedisErrorExt)> {
    if let Some(erased) = e.downcast_ref::<Error>() {
        return Some((None, erased.as_dyn()));
    }
    if let Some(found) = PEEK
        .iter()
        .enumerate()
        .find_map(|(i, peek)| Some((Some(i), peek(e)?)))
    {
        return Some(found);
    }
    exception_of(e.as_ref())
        .or_else(|| boxed(e))
        .map(|found| (None, found))
}

/// The exception by value: anyhow's `downcast` drops the context layers of
/// the matched error; a user class struct is copied without its cause.
fn take(e: anyhow::Error) -> Result<Error, anyhow::Error> {
    let index = match peek(&e) {
        None => return Err(e),
        Some((Some(index), _)) => index,
        Some((None, _)) if e.downcast_ref::<Error>().is_none() && boxed(&e).is_some() => {
            return take_boxed(e);
        }
        Some((None, found)) => {
            let copy = found.to_error();
            return match e.downcast::<Error>() {
                Ok(erased) => Ok(erased),
                Err(_) => Ok(copy),
            };
        }
    };
    match TAKE.get(index) {
        Some(take) => take(e),
        None => Err(e),
    }
}

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
        Ok(inner) => take_box(inner).map_err(anyhow::Error::from_boxed),
        // Under context layers that `downcast` does not see through: a copy.
        Err(e) => match boxed(&e) {
            Some(found) => Ok(found.to_error()),
            None => Err(e),
        },
    }
}

/// anyhow's `downcast_ref` finds a client's error also under
/// `.context(...)` layers: what `?` made of a `redis::RedisError` or a
/// `fred::error::Error` in a function returning `anyhow::Result`.
impl Downcast for anyhow::Error {
    fn get<T: std::error::Error + Send + Sync + 'static>(&self) -> Option<&T> {
        self.downcast_ref::<T>()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "anyhow")))]
impl Catch for anyhow::Error {
    type Subject = AnyhowSubject;

    fn __subject(self) -> AnyhowSubject {
        // A client's error is converted once, when no exception of this
        // crate is there (which the clauses look at first).
        let client = if peek(&self).is_none() {
            client_error(&self)
        } else {
            None
        };
        AnyhowSubject { err: self, client }
    }
}

/// An `anyhow::Error` under `except!`, with the client error it holds
/// converted; not part of the API.
#[doc(hidden)]
pub struct AnyhowSubject {
    err: anyhow::Error,
    client: Option<Error>,
}

impl AnyhowSubject {
    fn exception(&self) -> Option<&dyn RedisErrorExt> {
        match &self.client {
            Some(e) => Some(e.as_dyn()),
            None => peek(&self.err).map(|(_, e)| e),
        }
    }
}

impl Subject for AnyhowSubject {
    type Rest = anyhow::Error;

    fn __is_a<T: ExceptionClass>(&self) -> bool {
        self.exception().is_some_and(|e| e.is_a::<T>())
    }

    fn __in(&self, set: &ClassSet) -> bool {
        self.exception().is_some_and(|e| set.matches(e))
    }

    fn __take(self) -> Result<Error, anyhow::Error> {
        match self.client {
            // The converted error keeps the client's error as `source()`.
            Some(e) => Ok(e),
            None => take(self.err),
        }
    }

    fn __rest(self) -> anyhow::Error {
        self.err
    }
}
