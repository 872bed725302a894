//! What every subcommand's successful result can do: print itself and say the exit status.

use std::io;

use crate::args::Format;
use crate::audit::AuditReport;
use crate::check::CheckReport;
use crate::distribute::DistributeReport;
use crate::init::InitReport;
use crate::report::{Streams, Success};
use crate::rls::RlsReport;

/// A subcommand's result, printed by `main`.
pub trait Outcome {
    /// Prints the result in `format`.
    fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()>;
    /// The exit status: 0, or 1 when the result is itself a finding (a grown audit baseline).
    fn exit_status(&self) -> u8 {
        0
    }
}

/// A result as `main` holds it.
pub fn boxed<T: Outcome + 'static>(outcome: T) -> Box<dyn Outcome> {
    Box::new(outcome)
}

impl Outcome for Success {
    fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        Success::print(self, format, streams)
    }
}

impl Outcome for AuditReport {
    fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        AuditReport::print(self, format, streams)
    }

    fn exit_status(&self) -> u8 {
        AuditReport::exit_status(self)
    }
}

impl Outcome for InitReport {
    fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        InitReport::print(self, format, streams)
    }
}

impl Outcome for CheckReport {
    fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        CheckReport::print(self, format, streams)
    }

    fn exit_status(&self) -> u8 {
        CheckReport::exit_status(self)
    }
}

impl Outcome for RlsReport {
    fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        RlsReport::print(self, format, streams)
    }
}

impl Outcome for DistributeReport {
    fn print(&self, format: Format, streams: Streams<'_>) -> io::Result<()> {
        DistributeReport::print(self, format, streams)
    }
}
