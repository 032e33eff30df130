//! User classes declared outside the library, as `class MyError(ResponseError):`.

use redis_exceptions::{
    construct, exception, find, Class, ConnectionError, Error, ExceptionClass, ExceptionType,
    LockError, PyValue, RedisError, RedisErrorExt, ResponseError, ValueError,
};

mod app {
    redis_exceptions::exception! {
        /// The cache refused a write.
        pub struct CacheRejected(redis_exceptions::ResponseError);
        /// A broken link to the cache.
        pub struct CacheLinkLost(redis_exceptions::ConnectionError);
        /// Both at once: a diamond over RedisError.
        pub struct CacheBoth(CacheRejected, CacheLinkLost);
        /// A lock subclass inherits `LockError.__init__`.
        pub struct CacheLockError(redis_exceptions::LockError);
    }
}

exception! {
    /// X(A, B) where B derives from A: no consistent order (Python: TypeError).
    pub struct Inconsistent(RedisError, ResponseError);
}

mod shadow {
    redis_exceptions::exception! {
        /// A user class that reuses a built-in class's name.
        pub struct MovedError(redis_exceptions::ResponseError);
    }
}

use app::{CacheBoth, CacheLinkLost, CacheLockError, CacheRejected};

fn mro_names(c: &'static Class) -> Vec<&'static str> {
    c.mro().iter().map(|c| c.name()).collect()
}

#[test]
fn mro_is_c3_like_python() {
    assert_eq!(
        mro_names(CacheBoth::CLASS),
        [
            "CacheBoth",
            "CacheRejected",
            "ResponseError",
            "CacheLinkLost",
            "ConnectionError",
            "RedisError",
            "Exception",
            "BaseException"
        ]
    );
    assert_eq!(CacheBoth::CLASS.module(), "subclass::app");
    assert_eq!(
        CacheBoth::CLASS.doc(),
        "Both at once: a diamond over RedisError."
    );
}

#[test]
fn inconsistent_bases_are_rejected() {
    let err = Inconsistent::CLASS.try_mro().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Cannot create a consistent method resolution order (MRO) for bases RedisError, ResponseError"
    );
    // is_a never needs the MRO; mro() falls back to depth-first order.
    assert!(Inconsistent::new("x").is_a::<ResponseError>());
    assert_eq!(
        mro_names(Inconsistent::CLASS)[..3],
        ["Inconsistent", "RedisError", "Exception"]
    );
}

#[test]
fn isinstance_erasure_and_downcast() {
    let e = CacheBoth::new("both").with_status_code("ERR");
    assert!(e.is_a::<CacheRejected>() && e.is_a::<CacheLinkLost>());
    assert!(e.is_a::<ResponseError>(), "resp");
    assert!(e.is_a::<ConnectionError>(), "conn");
    assert!(e.is_a::<CacheBoth>(), "self");
    assert!(!e.is_a::<ValueError>());
    // ResponseError has no __init__, ConnectionError's sets NETWORK first.
    assert_eq!(e.error_type(), Some(ExceptionType::Network));
    assert_eq!(e.py_repr(), "network:CacheBoth");
    assert_eq!(e.to_string(), "both");

    let erased: Error = e.into();
    assert!(erased.is_a::<CacheRejected>() && erased.is::<CacheBoth>());
    let dynamic: &dyn RedisErrorExt = &erased;
    assert!(dynamic.is_a::<CacheLinkLost>());
    let back: CacheBoth = erased.downcast().unwrap();
    assert_eq!(back.status_code(), Some("ERR"));
    assert!(!CacheRejected::new("r").is_a::<CacheBoth>());
}

#[test]
fn inherited_init_and_construction_by_name() {
    Class::register(CacheLockError::CLASS).unwrap();
    Class::register(CacheLockError::CLASS).unwrap();
    let e = construct(
        "CacheLockError",
        &["Cannot release".into(), "my-lock".into()],
        &[],
    )
    .unwrap();
    assert!(e.is_a::<LockError>() && e.is_a::<ValueError>());
    assert_eq!(e.lock_name(), Some(&PyValue::from("my-lock")));
    let err = construct("CacheLockError", &[], &[("status_code", "ERR".into())]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "TypeError: LockError.__init__() got an unexpected keyword argument 'status_code'"
    );
    assert_eq!(
        construct("Unregistered", &[], &[]).unwrap_err().py_type(),
        "NameError"
    );
}

#[test]
fn found_in_chains_when_registered() {
    Class::register(CacheRejected::CLASS).unwrap();
    let io = std::io::Error::other(CacheRejected::new("no"));
    assert_eq!(find(&io).unwrap().class().name(), "CacheRejected");
}
