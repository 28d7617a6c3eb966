//! `id_enum!`: an enum whose variants each carry a stable id segment, with the list of all
//! variants and of all ids in declaration order, so that catalogue lists are derived from
//! the enum and cannot drift from it.

/// Declares `pub enum $name` with `ALL`, `IDS` and a `const fn id(self)`; it derives
/// [`arbitrary::Arbitrary`], so the fuzzers draw variants from the same enum.
macro_rules! id_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $id:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, arbitrary::Arbitrary)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// Every variant's id segment, in the same order.
            pub const IDS: &'static [&'static str] = &[$($id,)+];

            /// The id segment of this variant, as check ids and reports spell it.
            pub const fn id(self) -> &'static str {
                match self {
                    $( $name::$variant => $id, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}
