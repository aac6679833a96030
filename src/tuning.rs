//! Numbers that tune behaviour, together, each with its reason.

use std::time::Duration;

/// How long a long-running view waits after a file-system event before reopening the
/// engine: an editor's save is several events (write, rename, attributes) in a few
/// milliseconds, and one refresh should see them all.
pub const FOLLOW_SETTLE: Duration = Duration::from_millis(40);

/// How often a long-running view walks `playbooks/` even without events: the kernel drops
/// events when its queue overflows, and sends none for a write made through a hard link
/// from outside the tree. A walk costs one `stat` per playbook (about 30 ms at 10,000).
pub const FOLLOW_BACKSTOP: Duration = Duration::from_secs(2);
