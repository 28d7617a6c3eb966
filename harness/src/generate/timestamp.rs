//! Every RFC 3339 form of `completedAt` (SPEC [D-3]): any date from 0000 to 9999, zero to
//! nine fraction digits, `Z` or `z`, any offset up to ±23:59, the "unknown offset"
//! `-00:00`, and a lowercase `t` separator.

use arbitrary::{Arbitrary, Result, Unstructured};

/// The offset a timestamp is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Offset {
    /// `Z`.
    Z,
    /// `z`, which RFC 3339 allows too.
    LowerZ,
    /// `-00:00`: UTC, with the local offset unknown.
    NegativeZero,
    /// `+hh:mm` or `-hh:mm`, in minutes (never 0: that is `+00:00`, written when `minutes`
    /// is 0).
    Minutes(i16),
}

/// A date-time written in one RFC 3339 form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    digits: u8,
    offset: Offset,
    lowercase_t: bool,
}

impl<'a> Arbitrary<'a> for Timestamp {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let year = u.int_in_range(0..=9999)?;
        let month = u.int_in_range(1..=12)?;
        let last_day = time::Month::try_from(month)
            .map(|m| time::util::days_in_month(m, i32::from(year)))
            .unwrap_or(28);
        Ok(Timestamp {
            year,
            month,
            day: u.int_in_range(1..=last_day)?,
            hour: u.int_in_range(0..=23)?,
            minute: u.int_in_range(0..=59)?,
            second: u.int_in_range(0..=59)?,
            nanos: u.int_in_range(0..=999_999_999)?,
            digits: u.int_in_range(0..=9)?,
            offset: match u.choose_index(4)? {
                0 => Offset::Z,
                1 => Offset::LowerZ,
                2 => Offset::NegativeZero,
                _ => Offset::Minutes(u.int_in_range(-1439..=1439)?),
            },
            lowercase_t: u.arbitrary()?,
        })
    }
}

impl Timestamp {
    /// The instant `at`, written with `digits` fraction digits (at most 9; the rest is cut),
    /// in the offset given (its local time) and with a `T` or a `t`: the same instant in
    /// any RFC 3339 form, for payloads whose time is relative to now.
    pub fn at(at: time::OffsetDateTime, digits: u8, offset: Offset, lowercase_t: bool) -> Self {
        let minutes = match offset {
            Offset::Minutes(minutes) => i32::from(minutes.clamp(-1439, 1439)),
            Offset::Z | Offset::LowerZ | Offset::NegativeZero => 0,
        };
        let local_offset =
            time::UtcOffset::from_whole_seconds(minutes * 60).unwrap_or(time::UtcOffset::UTC);
        let local = at.to_offset(local_offset);
        Timestamp {
            year: u16::try_from(local.year().clamp(0, 9999)).unwrap_or(0),
            month: u8::from(local.month()),
            day: local.day(),
            hour: local.hour(),
            minute: local.minute(),
            second: local.second(),
            nanos: local.nanosecond(),
            digits: digits.min(9),
            offset,
            lowercase_t,
        }
    }

    /// The text, e.g. `2025-03-24T17:35:00.000+05:30`.
    pub fn text(&self) -> String {
        let separator = if self.lowercase_t { 't' } else { 'T' };
        let mut text = format!(
            "{:04}-{:02}-{:02}{separator}{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.digits > 0 {
            let fraction = format!("{:09}", self.nanos);
            text.push('.');
            text.push_str(&fraction[..usize::from(self.digits)]);
        }
        match self.offset {
            Offset::Z => text.push('Z'),
            Offset::LowerZ => text.push('z'),
            Offset::NegativeZero => text.push_str("-00:00"),
            Offset::Minutes(minutes) => {
                let sign = if minutes < 0 { '-' } else { '+' };
                let minutes = minutes.unsigned_abs();
                text.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
            }
        }
        text
    }

    /// How many fraction digits it is written with (0 to 9).
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// The offset it is written with.
    pub fn offset(&self) -> Offset {
        self.offset
    }

    /// Whether the separator is a lowercase `t`.
    pub fn lowercase_t(&self) -> bool {
        self.lowercase_t
    }
}
