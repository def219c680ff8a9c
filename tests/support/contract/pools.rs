//! Contract cases of pools as teams really run them (docs/registry.md#pools-as-they-really-are):
//! case-sensitive pools, whose `userName`s differ by case only; names given up that must stay
//! given up; retirement of a deleted user's name; and first-version names, found by their
//! `userName` and adopted before a rename.

use super::*;
use shared::registry::adopt_first_version_names;

/// `user_name`'s sign-up in a case-sensitive pool, with no contact.
fn sensitive_reservation(raw: &str, user_name: &str, now: Timestamp) -> Reservation {
    Reservation {
        holder: case_sensitive_holder(user_name)
            .sealed_by(&shared::registry::ContactKey::development()),
        ..reservation(raw, user_name, None, now)
    }
}

/// `user_name` (whose `sub` is `sub`) confirms in a case-sensitive pool.
fn sensitive_commitment(raw: &str, user_name: &str, sub: &str) -> Commitment {
    Commitment {
        holder: case_sensitive_holder(user_name),
        sub: sub.to_owned(),
        ..commitment(raw, user_name, Contacts::none())
    }
}

/// In a case-sensitive pool `alice_v` and `ALICE_V` are two people: the second is neither taken
/// for the first's replay nor allowed to confirm the first's name.
pub async fn a_case_sensitive_pool_never_takes_one_case_for_another<R: Registry>(registry: R) {
    let first = sensitive_reservation("Alice_Name", "alice_v", T0);
    assert_eq!(
        reserve(&registry, &first, T0).await,
        ReserveOutcome::Reserved
    );
    let other = sensitive_reservation("Alice_Name", "ALICE_V", T0 + 1);
    assert_eq!(
        reserve(&registry, &other, T0 + 1).await,
        ReserveOutcome::Taken,
        "another user, not a replay"
    );
    let before = claim(&registry, "Alice_Name").await;
    assert_eq!(
        commit_as(
            &registry,
            &sensitive_commitment("Alice_Name", "ALICE_V", "sub-upper"),
            T0 + 2
        )
        .await,
        CommitOutcome::Taken
    );
    assert_eq!(claim(&registry, "Alice_Name").await, before);
    assert_eq!(
        commit_as(
            &registry,
            &sensitive_commitment("Alice_Name", "alice_v", "sub-lower"),
            T0 + 3
        )
        .await,
        CommitOutcome::Committed
    );
    assert_eq!(
        claim(&registry, "Alice_Name").await.map(|c| c.state),
        Some(ClaimState::Active {
            owner: Owner::Sub("sub-lower".into())
        })
    );
}

/// A first-version name owned by `Dana_Owner` is `Dana_Owner`'s only, in a case-sensitive pool;
/// in a case-insensitive pool any case of it is the same user.
pub async fn a_first_version_owner_is_compared_as_the_pool_compares_user_names<
    R: Registry + Seed,
>(
    registry: R,
) {
    registry
        .seed(&entry("Dana_Name", first_version("Dana_Owner")))
        .await;
    let upper = sensitive_commitment("Dana_Name", "DANA_OWNER", "sub-upper");
    assert_eq!(
        commit_as(&registry, &upper, T0).await,
        CommitOutcome::Taken,
        "another user of a case-sensitive pool"
    );
    let exact = sensitive_commitment("Dana_Name", "Dana_Owner", "sub-dana");
    assert_eq!(
        commit_as(&registry, &exact, T0 + 1).await,
        CommitOutcome::Committed
    );

    registry
        .seed(&entry("Erin_Name", first_version("Erin_Owner")))
        .await;
    // A case-insensitive pool: the commit names the stored spelling, as a caller that read the
    // entry does (see `Holder::spelled_as`).
    let any_case = Commitment {
        holder: holder("ERIN_OWNER").spelled_as("Erin_Owner"),
        sub: "sub-erin".into(),
        ..commitment("Erin_Name", "ERIN_OWNER", Contacts::none())
    };
    assert_eq!(
        commit_as(&registry, &any_case, T0 + 2).await,
        CommitOutcome::Committed
    );
}

/// Reservations of earlier versions kept the holder in clear: the first version as sent, the
/// second in lower case. In a case-sensitive pool an all-lower-case one may be the second
/// version's folding of another user's name, so it matches nobody by name (its holder's
/// verified email still proves them); one with capitals is the first version's exact spelling.
pub async fn clear_holders_of_earlier_versions_match_as_the_pool_compares<R: Registry + Seed>(
    registry: R,
) {
    let pending = |holder: &str, with: Option<&str>| ClaimState::Pending {
        holder: holder.into(),
        expires_at: T0 + LIFETIME,
        contacts: with.map(email).unwrap_or_default(),
        sealed: None,
    };
    registry
        .seed(&entry(
            "Folded_Name",
            pending("alice_v", Some("alice@example.com")),
        ))
        .await;
    registry
        .seed(&entry("Mixed_Name", pending("Bob_V", None)))
        .await;
    for user_name in ["alice_v", "ALICE_V", "Alice_V"] {
        assert_eq!(
            reserve(
                &registry,
                &sensitive_reservation("Folded_Name", user_name, T0),
                T0
            )
            .await,
            ReserveOutcome::Taken,
            "{user_name}"
        );
        assert_eq!(
            commit_as(
                &registry,
                &sensitive_commitment("Folded_Name", user_name, "sub-x"),
                T0
            )
            .await,
            CommitOutcome::Taken,
            "{user_name}"
        );
    }
    let proven = Commitment {
        verified: email("alice@example.com"),
        ..sensitive_commitment("Folded_Name", "ALICE_V", "sub-alice")
    };
    assert_eq!(
        commit_as(&registry, &proven, T0 + 1).await,
        CommitOutcome::Committed,
        "the holder's verified email still proves them"
    );
    assert_eq!(
        reserve(
            &registry,
            &sensitive_reservation("Mixed_Name", "BOB_V", T0),
            T0
        )
        .await,
        ReserveOutcome::Taken
    );
    assert_eq!(
        reserve(
            &registry,
            &sensitive_reservation("Mixed_Name", "Bob_V", T0),
            T0
        )
        .await,
        ReserveOutcome::Reserved,
        "the first version's exact spelling is its holder"
    );
}

/// A name given up (released, or left by a rename) waits in its owner's quarantine: a replayed
/// confirmation or a second import (both commits) do not take it back; a rename does.
pub async fn a_name_given_up_comes_back_only_by_rename<R: Registry>(registry: R) {
    assert_eq!(
        commit(&registry, "Alice", "user-a", T0).await,
        CommitOutcome::Committed
    );
    let until = T0 + 10 + QUARANTINE;
    assert_eq!(
        registry
            .release(&sub_of("user-a"), Some(until), T0 + 10)
            .await
            .unwrap(),
        Some("Alice".to_owned())
    );
    let given_up = claim(&registry, "Alice").await;
    for at in [T0 + 11, until - 1] {
        assert_eq!(
            commit(&registry, "Alice", "user-a", at).await,
            CommitOutcome::Taken,
            "a replayed confirmation at {at}"
        );
    }
    assert_eq!(claim(&registry, "Alice").await, given_up, "still given up");
    assert_eq!(owned(&registry, "user-a").await, None);
    // The owner's rename takes it back (the cooldown of the release aside).
    assert_eq!(
        rename(&registry, "Alice", "user-a", T0 + 20, None).await,
        renamed(None),
        "a rename takes a name back from its owner's quarantine"
    );
    assert_eq!(
        owned(&registry, "user-a").await.map(|o| o.display),
        Some("Alice".to_owned())
    );
}

/// Reconcile retires a deleted user's name without starting a cooldown: should the user be alive
/// after all, they take it back by rename at once.
pub async fn retiring_a_name_starts_no_cooldown<R: Registry>(registry: R) {
    commit(&registry, "Alice", "user-a", T0).await;
    let until = T0 + 5 + QUARANTINE;
    assert_eq!(
        registry
            .retire(&sub_of("user-a"), Some(until))
            .await
            .unwrap(),
        Some("Alice".to_owned())
    );
    assert_eq!(
        claim(&registry, "Alice").await.map(|c| c.state),
        Some(ClaimState::Quarantined {
            previous_owner: sub_of("user-a"),
            until
        })
    );
    let record = record(&registry, "user-a").await.unwrap_or_default();
    assert_eq!(
        (record.owned, record.renamed_at, record.previous),
        (None, None, None)
    );
    assert_eq!(
        rename(&registry, "Alice", "user-a", T0 + 6, Some(24 * 60 * 60)).await,
        renamed(None),
        "no cooldown after a retirement"
    );
    // A retirement of a user who owns nothing changes nothing.
    assert_eq!(
        registry
            .retire(&sub_of("user-b"), Some(until))
            .await
            .unwrap(),
        None
    );
}

/// First-version names are found by their owner's `userName`, as the pool compares user names.
pub async fn first_version_names_are_found_by_their_user_name<R: Registry + Seed>(registry: R) {
    for (raw, user_name) in [
        ("Vintage", "Dana"),
        ("Antique", "DANA"),
        ("Other_One", "erin"),
    ] {
        registry.seed(&entry(raw, first_version(user_name))).await;
    }
    commit(&registry, "Modern", "dana", T0).await;
    let found = |holder: Holder| {
        let registry = &registry;
        async move {
            let mut names: Vec<String> = registry
                .first_version_names(&holder)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.display)
                .collect();
            names.sort();
            names
        }
    };
    // A case-insensitive pool's holder is asked as sent and in lower case (and as a spelling
    // read from an entry): DynamoDB queries its index once per exact spelling, and the memory
    // store compares the same way.
    assert_eq!(found(Holder::unkeyed("Dana", false)).await, ["Vintage"]);
    assert_eq!(
        found(Holder::unkeyed("dana", false).spelled_as("DANA")).await,
        ["Antique"]
    );
    assert_eq!(found(Holder::unkeyed("Dana", true)).await, ["Vintage"]);
    assert!(found(Holder::unkeyed("nobody", false)).await.is_empty());
}

/// A first-version owner who renames before a sign-in upgraded their name: the name is adopted
/// (committed to their `sub`), so the rename moves it into quarantine; a second first-version
/// name of theirs is retired. They never hold two names.
pub async fn adopting_first_version_names_leaves_one_name<R: Registry + Seed>(registry: R) {
    for raw in ["Vintage", "Antique"] {
        registry.seed(&entry(raw, first_version("dana"))).await;
    }
    let sub = sub_of("dana");
    let holder = Holder::unkeyed("dana", false);
    let until = T0 + QUARANTINE;
    let found = adopt_first_version_names(&registry, &holder, &sub, &Policy::default(), until, T0)
        .await
        .unwrap();
    assert_eq!(found, 2);
    let adopted = owned(&registry, "dana").await.expect("adopted").display;
    let other = if adopted == "Antique" {
        "Vintage"
    } else {
        "Antique"
    };
    assert_eq!(
        claim(&registry, other).await.map(|c| c.state),
        Some(ClaimState::Quarantined {
            previous_owner: "dana".into(),
            until
        }),
        "the second one is retired"
    );
    assert_eq!(
        rename(&registry, "Modern", "dana", T0 + 1, Some(0)).await,
        renamed(Some(&adopted))
    );
    assert_eq!(
        claim(&registry, &adopted).await.map(|c| c.state),
        Some(ClaimState::Quarantined {
            previous_owner: sub.clone(),
            until: T0 + 1 + QUARANTINE
        }),
        "the adopted name left by the rename"
    );
    // Again: nothing left to adopt.
    assert_eq!(
        adopt_first_version_names(&registry, &holder, &sub, &Policy::default(), until, T0 + 2)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        owned(&registry, "dana").await.map(|o| o.display),
        Some("Modern".to_owned())
    );
}
