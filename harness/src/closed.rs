//! Closed lists as data: an enum whose variants each carry one stable name, declared once,
//! with everything else derived from that one declaration: `ALL` (every variant, in
//! declaration order), `IDS` (every name, same order), `as_str`, `Display`, and a
//! case-insensitive `FromStr` whose error ([`UnknownName`]) names the list and the
//! accepted values. Defects, statuses, categories, report formats, failure classes, fuzz
//! invariants, diff kinds, verdict outcomes and the generator's input kinds are all
//! declared this way, so that no list can drift from its enum.
//!
//! - `closed_enum!` declares a fieldless enum: `pub enum Name as "list name" { Variant =>
//!   "name", … }`. Attributes before `pub enum` (docs, extra derives such as
//!   `arbitrary::Arbitrary` or serde) and before each variant (docs, `#[default]`) are kept.
//! - `closed_list!` gives an enum declared elsewhere the same items, for enums whose
//!   variants carry another closed list (`Shape::Unknown(UnknownFields::Nested) => …`).

use std::fmt;

/// A name that is not one of a closed list's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What the list is called in messages, e.g. `defect`.
    pub list: &'static str,
    /// The name given.
    pub given: String,
    /// The names accepted, in declaration order.
    pub accepted: &'static [&'static str],
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} `{}` (expected one of {})",
            self.list,
            self.given,
            self.accepted.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}

/// The variant of `all` whose name in `ids` is `text`, ignoring ASCII case and surrounding
/// whitespace; the error names `list`. Used by the `FromStr` the macros derive.
pub fn parse<T: Copy>(
    list: &'static str,
    all: &[T],
    ids: &'static [&'static str],
    text: &str,
) -> Result<T, UnknownName> {
    let wanted = text.trim();
    all.iter()
        .zip(ids)
        .find(|(_, id)| id.eq_ignore_ascii_case(wanted))
        .map(|(value, _)| *value)
        .ok_or_else(|| UnknownName {
            list,
            given: text.to_owned(),
            accepted: ids,
        })
}

/// Declares a fieldless `enum` and derives its closed-list items (see the module docs).
/// It derives `Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord`.
macro_rules! closed_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $list:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        $crate::closed::closed_list! {
            $name as $list { $( $name::$variant => $text, )+ }
        }
    };
}

/// Derives the closed-list items of an enum declared elsewhere, from a table of
/// `value => "name"` rows, each value a path with at most one parenthesised argument list.
macro_rules! closed_list {
    (
        $name:ident as $list:literal {
            $( $head:ident $(:: $rest:ident)* $( ( $($arg:tt)* ) )? => $text:literal, )+
        }
    ) => {
        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: [$name; [$($text),+].len()] =
                [ $( $head $(:: $rest)* $( ( $($arg)* ) )?, )+ ];
            /// Every variant's name, in the same order.
            pub const IDS: [&'static str; [$($text),+].len()] = [ $( $text, )+ ];

            /// The name of this variant, as reports, ids and the command line spell it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $head $(:: $rest)* $( ( $($arg)* ) )? => $text, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::closed::UnknownName;

            /// Reads a name of [`Self::IDS`], ignoring ASCII case.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::closed::parse($list, &Self::ALL, &Self::IDS, s)
            }
        }
    };
}

pub(crate) use {closed_enum, closed_list};

#[cfg(test)]
mod tests {

    closed_enum! {
        /// A list for the tests.
        enum Colour as "colour" {
            Red => "red",
            DarkBlue => "dark-blue",
        }
    }

    #[test]
    fn every_name_reads_back_in_any_case_and_an_unknown_one_lists_the_names() {
        for colour in Colour::ALL {
            assert_eq!(colour.as_str().parse(), Ok(colour));
            assert_eq!(colour.as_str().to_uppercase().parse(), Ok(colour));
            assert_eq!(colour.to_string(), colour.as_str());
        }
        assert_eq!(Colour::IDS, ["red", "dark-blue"]);
        let err = "green".parse::<Colour>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown colour `green` (expected one of red, dark-blue)"
        );
    }
}
