//! Profiles over SQL.

use lifeos_core::{NewProfile, Profile, ProfilePatch, UserId};

use super::rows::ProfileRow;
use super::{Arg, Dialect, Step, Stmt, mutate, to_json, version};
use crate::error::{Error, Result};
use crate::rules;
use crate::seed::UserSeed;

async fn fetch<D: Dialect>(d: &D, conn: &mut D::Conn, user: UserId) -> Result<Profile> {
    let args = vec![Arg::Uuid(*user.as_uuid())];
    let rows = d
        .data_rows(conn, Stmt::new(&d.sql().profile, args, "reading a profile"))
        .await?;
    ProfileRow::decode_first(rows)?.ok_or_else(|| Error::not_found("profile", user))
}

async fn insert<D: Dialect>(d: &D, conn: &mut D::Conn, user: UserId, p: &Profile) -> Result<()> {
    let args = vec![
        Arg::Uuid(*user.as_uuid()),
        Arg::Int(version(p.version)?),
        Arg::Text(to_json(p)?),
    ];
    let stmt = Stmt::new(&d.sql().insert_profile, args, "inserting a profile");
    match d.execute(conn, stmt).await {
        Err(Error::Duplicate { .. }) => Err(Error::Duplicate {
            entity: "profile",
            key: user.to_string(),
        }),
        other => other,
    }?;
    Ok(())
}

pub(crate) async fn create_profile<D: Dialect>(
    d: &D,
    user: UserId,
    new: NewProfile,
) -> Result<Profile> {
    let now = d.ctx().now();
    let (p, e) = rules::create_profile(d.ctx(), user, new, now)?;
    let (p, _) = mutate(d, user, |mut tx| async move {
        insert(d, &mut tx, user, &p).await?;
        Ok(Step::Write(tx, p, vec![e]))
    })
    .await?;
    Ok(p)
}

pub(crate) async fn seed_user<D: Dialect>(d: &D, user: UserId, seed: UserSeed) -> Result<Profile> {
    let now = d.ctx().now();
    let rows = rules::seed_rows(d.ctx(), user, seed, now)?;
    let (p, _) = mutate(d, user, |mut tx| async move {
        // The profile first: a second seeder stops here, before writing anything else.
        insert(d, &mut tx, user, &rows.profile).await?;
        for e in &rows.events {
            super::calendar::write(d, &mut tx, e, true).await?;
        }
        for t in &rows.tasks {
            super::tasks::insert(d, &mut tx, t).await?;
        }
        Ok(Step::Write(tx, rows.profile, rows.log))
    })
    .await?;
    Ok(p)
}

pub(crate) async fn get_profile<D: Dialect>(d: &D, user: UserId) -> Result<Profile> {
    let mut conn = d.read(user).await?;
    fetch(d, &mut conn, user).await
}

pub(crate) async fn update_profile<D: Dialect>(
    d: &D,
    user: UserId,
    expected_version: Option<u64>,
    patch: ProfilePatch,
) -> Result<Profile> {
    let now = d.ctx().now();
    let (p, _) = mutate(d, user, |mut tx| async move {
        let current = fetch(d, &mut tx, user).await?;
        let (p, e) = rules::update_profile(d.ctx(), &current, expected_version, &patch, now)?;
        let args = vec![
            Arg::Int(version(p.version)?),
            Arg::Text(to_json(&p)?),
            Arg::Uuid(*user.as_uuid()),
        ];
        let stmt = Stmt::new(&d.sql().update_profile, args, "updating a profile");
        d.execute(&mut tx, stmt).await?;
        Ok(Step::Write(tx, p, vec![e]))
    })
    .await?;
    Ok(p)
}
