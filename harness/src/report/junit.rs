//! The JUnit XML reporter, for CI systems that show test results from JUnit files.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::{Event, Outcome, Reporter};
use crate::catalogue::Category;

/// Writes one JUnit test suite per category, one test case per check.
pub struct JunitReporter {
    path: PathBuf,
}

impl JunitReporter {
    /// A reporter that will write to `path`, replacing it.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JunitReporter { path: path.into() }
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
                let mut status = match check.outcome {
                    Outcome::Pass => TestCaseStatus::success(),
                    Outcome::Skip => TestCaseStatus::skipped(),
                    Outcome::Fail | Outcome::Warn => {
                        TestCaseStatus::non_success(NonSuccessKind::Failure)
                    }
                    Outcome::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
                };
                if check.outcome != Outcome::Pass {
                    status.set_message(format!("{}: {}", check.outcome, check.actual));
                    let mut description = format!(
                        "[{}] {}\nexpected: {}\nactual: {}",
                        check.level, check.requirement, check.expected, check.actual
                    );
                    if let Some(repro) = &check.repro {
                        description.push_str(&format!("\nrepro: {repro}"));
                    }
                    status.set_description(description);
                }
                let mut case = TestCase::new(check.id.as_str(), status);
                case.set_classname(format!("hookcheck.{category}"));
                case.set_time(Duration::from_millis(check.duration_ms));
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
