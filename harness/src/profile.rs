//! The contract a run grades against. `cr3dentials` (CONTRACT.md) is the default and the
//! one every command has always graded; `standard-webhooks` (STANDARD-WEBHOOKS.md) is the
//! signed scheme many providers share: deliveries signed with a `whsec_` secret, deduped on
//! `webhook-id`.

crate::closed::closed_enum! {
    /// A contract hookcheck knows, by the name `--profile` takes.
    #[derive(Default, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum Profile as "profile" {
        /// The Cr3dentials verification webhook (CONTRACT.md).
        #[default]
        Cr3dentials => "cr3dentials",
        /// Standard Webhooks: HMAC-signed deliveries (STANDARD-WEBHOOKS.md).
        StandardWebhooks => "standard-webhooks",
    }
}

impl Profile {
    /// Whether this is the default profile, `cr3dentials` (reports leave it out then).
    pub fn is_default(&self) -> bool {
        *self == Profile::Cr3dentials
    }

    /// The contract document in the repository that reports cite.
    pub const fn contract_file(self) -> &'static str {
        match self {
            Profile::Cr3dentials => "CONTRACT.md",
            Profile::StandardWebhooks => "STANDARD-WEBHOOKS.md",
        }
    }

    /// How a clause of its contract is cited in a report: `SPEC §3 ¶9`,
    /// `STANDARD-WEBHOOKS [SD-7]`.
    pub const fn citation(self) -> &'static str {
        match self {
            Profile::Cr3dentials => "SPEC",
            Profile::StandardWebhooks => "STANDARD-WEBHOOKS",
        }
    }

    /// What effects are counted by, in messages: `session`, `message`.
    pub const fn unit(self) -> &'static str {
        match self {
            Profile::Cr3dentials => "session",
            Profile::StandardWebhooks => "message",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_profile_is_cr3dentials_and_names_read_back() {
        assert_eq!(Profile::default(), Profile::Cr3dentials);
        for profile in Profile::ALL {
            assert_eq!(profile.as_str().parse(), Ok(profile));
        }
        assert!("stripe".parse::<Profile>().is_err());
    }

    #[test]
    fn every_contract_file_is_in_the_repository() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for profile in Profile::ALL {
            assert!(root.join(profile.contract_file()).is_file(), "{profile}");
        }
    }
}
