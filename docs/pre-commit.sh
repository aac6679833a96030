#!/bin/sh
# Git pre-commit hook: runs `playbook check` on what is staged, and blocks the commit on errors.
#
# Install (from the repository's top folder):
#     cp docs/pre-commit.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# See docs/pre-commit.md. Settings, all optional, from the environment:
#     PLAYBOOK_BIN          the playbook program (default: `playbook` on PATH)
#     PLAYBOOK_HOOK_ROOT    the folder holding `playbooks/`, relative to the repository's top
#                           (default: `.`)
#     PLAYBOOK_HOOK_STRICT  set to 1 to block on warnings too (`playbook check --strict`)
# To commit anyway, once: git commit --no-verify
set -eu

bin=${PLAYBOOK_BIN:-playbook}
root=${PLAYBOOK_HOOK_ROOT:-.}
root=${root%/}

# Git runs hooks from the top of the work tree; be sure of it when run by hand.
top=$(git rev-parse --show-toplevel)
cd "$top"

# Nothing under playbooks/ staged (added, changed, renamed or deleted): nothing to check.
if git diff --cached --quiet -- "$root/playbooks"; then
    exit 0
fi

if ! command -v "$bin" >/dev/null 2>&1; then
    echo "pre-commit: \`$bin\` not found: install playbook, or set PLAYBOOK_BIN to its path" >&2
    echo "pre-commit: (to commit without the check, once: git commit --no-verify)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/playbook-pre-commit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# The staged version of every file under playbooks/ (the index, not the work tree), so that
# unstaged edits neither hide nor cause errors.
git ls-files -z --cached -- "$root/playbooks" |
    git checkout-index -z --stdin --prefix="$tmp/"
mkdir -p "$tmp/$root/playbooks"

strict=
if [ "${PLAYBOOK_HOOK_STRICT:-0}" = 1 ]; then
    strict=yes
fi

# Diagnostics name files as `playbooks/...`, relative to the playbook root, as in the work tree.
status=0
"$bin" --root "$tmp/$root" check ${strict:+--strict} || status=$?
if [ "$status" -ne 0 ]; then
    echo "pre-commit: \`playbook check\` failed on the staged playbooks (exit $status): commit blocked" >&2
    echo "pre-commit: fix the files above and \`git add\` them (or: git commit --no-verify)" >&2
    exit 1
fi
