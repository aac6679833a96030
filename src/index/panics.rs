//! Panics while reading a damaged index: tantivy trusts most of its files (a flipped bit in
//! a term dictionary or a norms file can panic instead of failing), so every read of the
//! index runs in [`catch`], and a panic there is damage to repair, not a crash, and not a
//! message on the agent's terminal.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs inside [`catch`]: its panics are not printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, returning what it returns, or the panic's message if it panicked (printed
/// nowhere). Whatever `f` touched is thrown away by the caller (the index is rebuilt),
/// which is why asserting unwind safety is sound here.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let outer = QUIET.with(|q| q.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(outer));
    result.map_err(|payload| {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        format!("panic: {text}")
    })
}

/// Whether this thread is inside [`catch`] (for other panic hooks: `live` restores the
/// terminal on a panic, which a caught one must not do).
pub fn quiet() -> bool {
    QUIET.with(Cell::get)
}

/// Wraps the panic hook once, so that panics inside [`catch`] print nothing; every other
/// panic is printed as before.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !quiet() {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_comes_back_as_its_message() {
        assert_eq!(catch(|| 7), Ok(7));
        let caught = catch(|| -> u8 { panic!("fst: bad node {}", 3) });
        assert_eq!(caught, Err("panic: fst: bad node 3".to_string()));
        assert!(!quiet(), "quiet outside catch");
        // Nested: the outer one stays quiet after the inner one ends.
        let nested = catch(|| {
            let _ = catch(|| panic!("inner"));
            quiet()
        });
        assert_eq!(nested, Ok(true));
    }
}
