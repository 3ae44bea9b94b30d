//! INTERIM: the undo log of one multi-step operation, until the crate's shared undo
//! mechanism (issue 10) is on `main`; then this file goes and its callers use that one.
//!
//! Each operation runs its kernel-changing steps through [`UndoLog::step`] (which counts
//! them, so a test can make step N fail before it runs) and records how to undo each change
//! with [`UndoLog::record`]. On failure [`UndoLog::rollback`] undoes the recorded changes in
//! reverse order, attempting every one; [`teardown`] does the same for a finished
//! operation's log and keeps the steps that failed, so running it again retries them.

use crate::{Error, Result};

/// The undo steps of one operation (`U` says how to undo one change), and the fault
/// injection of tests.
#[derive(Debug)]
pub(crate) struct UndoLog<U> {
    done: Vec<U>,
    steps: usize,
    fail_at: Option<usize>,
}

impl<U> UndoLog<U> {
    /// An empty log; with `fail_at = Some(n)`, step `n` (counted from 1) fails with an
    /// injected error before it runs.
    pub(crate) fn new(fail_at: Option<usize>) -> Self {
        UndoLog {
            done: Vec::new(),
            steps: 0,
            fail_at,
        }
    }

    /// Runs one step, unless it is the one a test made fail.
    pub(crate) fn step<T>(&mut self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.steps += 1;
        if self.fail_at == Some(self.steps) {
            return Err(injected_fault(self.steps));
        }
        f()
    }

    /// Counts a step that the caller runs itself (for steps that do not return a
    /// `crate::Result`); `Err` if it is the one a test made fail.
    pub(crate) fn next(&mut self) -> Result<()> {
        self.step(|| Ok(()))
    }

    /// Records how to undo the change the last step made.
    pub(crate) fn record(&mut self, undo: U) {
        self.done.push(undo);
    }

    /// Undoes every recorded change, last first, attempting all of them; returns the errors.
    pub(crate) fn rollback<E>(self, mut undo: impl FnMut(&U) -> Result<(), E>) -> Vec<E> {
        self.done
            .iter()
            .rev()
            .filter_map(|u| undo(u).err())
            .collect()
    }

    /// The recorded changes, first first: what a later teardown undoes.
    pub(crate) fn into_done(self) -> Vec<U> {
        self.done
    }
}

/// Undoes the changes of `log`, last first, attempting every one, and keeps in `log` those
/// whose undo failed (so a second teardown retries only them). Returns the errors.
pub(crate) fn teardown<U, E>(
    log: &mut Vec<U>,
    mut undo: impl FnMut(&U) -> Result<(), E>,
) -> Vec<E> {
    let mut errors = Vec::new();
    let mut failed = Vec::new();
    while let Some(u) = log.pop() {
        if let Err(e) = undo(&u) {
            errors.push(e);
            failed.push(u);
        }
    }
    failed.reverse();
    *log = failed;
    errors
}

const INJECTED: &str = "fault injected by a test";

/// The error an injected fault returns.
pub(crate) fn injected_fault(step: usize) -> Error {
    Error::io(format!("step {step}"), std::io::Error::other(INJECTED))
}

/// Whether `e` is an injected fault.
pub(crate) fn is_injected(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.to_string() == INJECTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_runs_every_undo_in_reverse_and_collects_errors() {
        let mut log = UndoLog::new(None);
        for i in 1..=3 {
            log.step(|| Ok(())).unwrap();
            log.record(i);
        }
        let mut seen = Vec::new();
        let errors = log.rollback(|&i| {
            seen.push(i);
            if i == 2 {
                Err(injected_fault(i))
            } else {
                Ok(())
            }
        });
        assert_eq!(seen, [3, 2, 1]);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn the_injected_step_fails_before_running() {
        let mut log: UndoLog<()> = UndoLog::new(Some(2));
        let mut ran = 0;
        let mut count = || {
            ran += 1;
            Ok(())
        };
        assert!(log.step(&mut count).is_ok());
        assert!(log.step(&mut count).is_err());
        assert_eq!(ran, 1);
    }

    #[test]
    fn teardown_keeps_what_failed_for_the_next_run() {
        let mut log = vec![1, 2, 3];
        let errs = teardown(&mut log, |&i| if i == 2 { Err(i) } else { Ok(()) });
        assert_eq!((errs, log.clone()), (vec![2], vec![2]));
        let errs: Vec<i32> = teardown(&mut log, |_| Ok(()));
        assert!(errs.is_empty() && log.is_empty());
    }
}
