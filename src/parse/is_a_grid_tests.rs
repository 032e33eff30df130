//! The `is_a` grid, generated from the one table: for every class struct `T`
//! and every class, `x.is_a::<T>()` is `x.class().is_subclass_of(T::CLASS)`,
//! on the struct, on the erased `Error`, on `&dyn RedisErrorExt` and on
//! `classify(..)`; then the same over random replies. `is_subclass_of` walks
//! the MRO, so it is a second path to the answer `is_a` reads from a bit set.
//! Lives in the parse layer because `classify` does.

use proptest::prelude::*;

use crate::class::hierarchy::for_each_class;
use crate::class::{RedisPy, ValkeyPy};
use crate::error::erased::Error;
use crate::error::structs::*;
use crate::error::traits::{ExceptionClass, RedisErrorExt};
use crate::parse::reply::{classify, parse_error_bytes, Classified, Parser};

macro_rules! grid {
    ($($name:ident),*) => {
        /// Every struct's class, as the erased error and as `&dyn RedisErrorExt`.
        fn check_error(x: &Error, how: &str) {
            let dynamic: &dyn RedisErrorExt = x;
            $(
                let want = x.class().is_subclass_of(<$name as ExceptionClass>::CLASS);
                assert_eq!(x.is_a::<$name>(), want, "Error({}, {how}).is_a::<{}>()", x.class().name(), stringify!($name));
                assert_eq!(dynamic.is_a::<$name>(), want, "dyn({}, {how}).is_a::<{}>()", x.class().name(), stringify!($name));
            )*
        }

        /// Every struct's class, on a classified reply.
        fn check_classified(c: &Classified<'_>) {
            $(
                assert_eq!(
                    c.is_a::<$name>(),
                    c.class().is_subclass_of(<$name as ExceptionClass>::CLASS),
                    "classify({:?}) = {}: is_a::<{}>()",
                    String::from_utf8_lossy(c.reply()),
                    c.class().name(),
                    stringify!($name),
                );
            )*
        }

        /// Every struct `S` against every struct `T`, on the struct itself
        /// (its inherent `is_a`), then erased.
        #[test]
        fn every_struct_against_every_struct() {
            grid!(@rows [$($name),*] $($name),*);
        }
    };
    (@rows $all:tt $($s:ident),*) => {
        $( grid!(@row $s $all); )*
    };
    (@row $s:ident [$($t:ident),*]) => {{
        let x = $s::new("m");
        $(
            assert_eq!(
                x.is_a::<$t>(),
                <$s as ExceptionClass>::CLASS.is_subclass_of(<$t as ExceptionClass>::CLASS),
                "{}::new(..).is_a::<{}>()",
                stringify!($s),
                stringify!($t),
            );
        )*
        assert!(std::ptr::eq(x.class(), <$s as ExceptionClass>::CLASS));
        let erased: Error = x.into();
        check_error(&erased, "from the struct");
    }};
}

for_each_class!(names: grid);

/// Every parser of every release, base and cluster.
fn parsers() -> Vec<Parser> {
    let mut all = Vec::new();
    for &r in RedisPy::ALL {
        all.push(r.parser());
        all.push(r.cluster());
    }
    for &v in ValkeyPy::ALL {
        all.push(v.parser());
        all.push(v.cluster());
    }
    all
}

/// A reply for every rule of every parser (the code alone, with a message,
/// with the rule's exact `ERR` message, a redirect), classified by that
/// parser, by the newest one and parsed into an `Error`.
#[test]
fn every_rule_of_every_parser() {
    let mut classes = std::collections::BTreeSet::new();
    for parser in parsers() {
        for rule in parser.rules() {
            let replies = [
                rule.code.to_owned(),
                format!("{} m", rule.code),
                format!("{} 3999 127.0.0.1:6381", rule.code),
                format!("{} {}", rule.code, rule.message.unwrap_or("")),
            ];
            for reply in &replies {
                let c = parser.classify(reply.as_bytes());
                classes.insert(c.class().name());
                check_classified(&c);
                check_classified(&classify(reply.as_bytes()));
                check_error(&parser.parse_error(reply), reply);
            }
        }
    }
    // The rules reach more than a handful of classes (a grid over one
    // class would test little).
    assert!(classes.len() > 15, "{classes:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random replies: a known code or a random word, an optional space and
    /// random bytes (the redirect payloads and control bytes included).
    #[test]
    fn random_replies(
        code in prop::sample::select(
            Parser::LATEST.rules().map(|r| r.code).chain(["", "WRONGTYPE", "Err", "ASK", "MOVED"]).collect::<Vec<_>>()
        ),
        space in any::<bool>(),
        rest in prop::collection::vec(
            prop_oneof![any::<u8>(), prop::sample::select(b" :0123456789.abcXYZ\xc3\xa9".to_vec())],
            0..80,
        ),
        parser in prop::sample::select(parsers()),
    ) {
        let mut reply = code.as_bytes().to_vec();
        if space {
            reply.push(b' ');
        }
        reply.extend_from_slice(&rest);
        check_classified(&parser.classify(&reply));
        check_classified(&classify(&reply));
        check_error(&parse_error_bytes(&reply), "random reply");
        check_error(&parser.parse_error_bytes(&reply), "random reply");
    }
}
