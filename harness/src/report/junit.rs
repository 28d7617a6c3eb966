//! The JUnit XML format, for CI systems that show test results from JUnit files.

use std::io;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::render::junit_xml;
use super::verdict::categories;
use crate::results::{CheckResult, Outcome, Report};

/// One JUnit test suite per category, one test case per check. A warn is a failure only
/// with `strict`; otherwise it passes with the finding in its system-out, so the CI view
/// agrees with the exit code. An interrupted run says so in the report's name.
pub fn render(report: &Report, strict: bool) -> io::Result<String> {
    let mut junit = JunitReport::new(if report.interrupted {
        "hookcheck (interrupted)"
    } else {
        "hookcheck"
    });
    junit.set_time(Duration::from_millis(report.duration_ms));
    for category in categories(&report.checks) {
        let mut suite = TestSuite::new(category.as_str());
        for check in report.checks.iter().filter(|c| c.category == category) {
            suite.add_test_case(test_case(check, strict));
        }
        if !suite.test_cases.is_empty() {
            junit.add_test_suite(suite);
        }
    }
    junit_xml(&junit)
}

fn test_case(check: &CheckResult, strict: bool) -> TestCase {
    let mut finding = format!(
        "[{}] {} ({})\nexpected: {}\nactual: {}",
        check.level, check.requirement, check.clause, check.expected, check.actual
    );
    if let Some(repro) = &check.repro {
        finding.push_str(&format!("\nrepro:\n{repro}"));
    }
    let failing = |kind: NonSuccessKind| {
        let mut status = TestCaseStatus::non_success(kind);
        status.set_message(format!("{}: {}", check.outcome, check.actual));
        status.set_description(finding.clone());
        status
    };
    let status = match check.outcome {
        Outcome::Pass => TestCaseStatus::success(),
        Outcome::Warn if !strict => TestCaseStatus::success(),
        Outcome::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(check.actual.clone());
            status
        }
        Outcome::Fail | Outcome::Warn => failing(NonSuccessKind::Failure),
        Outcome::Error => failing(NonSuccessKind::Error),
    };
    let mut case = TestCase::new(check.id.as_str(), status);
    case.set_classname(format!("hookcheck.{}", check.category));
    case.set_time(Duration::from_millis(check.duration_ms));
    if check.outcome == Outcome::Warn && !strict {
        case.set_system_out(format!("warn: {finding}"));
    }
    case
}
