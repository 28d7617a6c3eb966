//! The JUnit XML reporter, for CI systems that show test results from JUnit files.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use crate::catalogue::Category;
use crate::results::{Event, Outcome, Reporter};

/// Writes one JUnit test suite per category, one test case per check. A warn is a
/// failure only with `strict`; otherwise it passes with the finding in its system-out,
/// so the CI view agrees with the exit code.
pub struct JunitReporter {
    path: PathBuf,
    strict: bool,
}

impl JunitReporter {
    /// A reporter that will write to `path`, replacing it.
    pub fn new(path: impl Into<PathBuf>, strict: bool) -> Self {
        JunitReporter {
            path: path.into(),
            strict,
        }
    }
}

impl Reporter for JunitReporter {
    fn on_event(&mut self, event: &Event<'_>) -> io::Result<()> {
        let Event::RunFinished(report) = event else {
            return Ok(());
        };
        let mut junit = JunitReport::new("hookcheck");
        junit.set_time(Duration::from_millis(report.duration_ms));
        for category in Category::ALL {
            let mut suite = TestSuite::new(category.as_str());
            for check in report.checks.iter().filter(|c| c.category == category) {
                let finding = {
                    let mut text = format!(
                        "[{}] {}\nexpected: {}\nactual: {}",
                        check.level, check.requirement, check.expected, check.actual
                    );
                    if let Some(repro) = &check.repro {
                        text.push_str(&format!("\nrepro: {repro}"));
                    }
                    text
                };
                let failing = |kind: NonSuccessKind| {
                    let mut status = TestCaseStatus::non_success(kind);
                    status.set_message(format!("{}: {}", check.outcome, check.actual));
                    status.set_description(finding.clone());
                    status
                };
                let status = match check.outcome {
                    Outcome::Pass => TestCaseStatus::success(),
                    Outcome::Warn if !self.strict => TestCaseStatus::success(),
                    Outcome::Skip => {
                        let mut status = TestCaseStatus::skipped();
                        status.set_message(check.actual.clone());
                        status
                    }
                    Outcome::Fail | Outcome::Warn => failing(NonSuccessKind::Failure),
                    Outcome::Error => failing(NonSuccessKind::Error),
                };
                let mut case = TestCase::new(check.id.as_str(), status);
                case.set_classname(format!("hookcheck.{category}"));
                case.set_time(Duration::from_millis(check.duration_ms));
                if check.outcome == Outcome::Warn && !self.strict {
                    case.set_system_out(format!("warn: {finding}"));
                }
                suite.add_test_case(case);
            }
            if !suite.test_cases.is_empty() {
                junit.add_test_suite(suite);
            }
        }
        let xml = junit
            .to_string()
            .map_err(|e| io::Error::other(e.to_string()))?;
        std::fs::write(&self.path, xml)
    }
}
