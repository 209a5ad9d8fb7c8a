//! Projects group tasks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Validator};
use crate::id::{ProjectId, UserId};
use crate::validate::check_text;

/// Name length, in Unicode scalar values after trimming.
pub const NAME_MAX_CHARS: usize = 200;

/// A project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    /// Identity.
    pub id: ProjectId,
    /// Owner.
    pub user_id: UserId,
    /// Name (1 to 200 characters, trimmed).
    pub name: String,
    /// Longer text (up to 20,000 characters).
    pub description: Option<String>,
    /// Display colour as `#rrggbb`.
    pub color: Option<String>,
    /// When it was archived (hidden from active lists, tasks kept).
    pub archived_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Soft-deletion time.
    pub deleted_at: Option<DateTime<Utc>>,
    /// 1 at creation, +1 per change.
    pub version: u64,
}

/// The fields of a project to create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProject {
    /// 1 to 200 characters after trimming.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// Up to 20,000 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    /// `#rrggbb`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^#[0-9A-Fa-f]{6}$"))]
    pub color: Option<String>,
}

/// A change to a project; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectPatch {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// New description, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<Option<String>>,
    /// New colour, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(pattern = "^#[0-9A-Fa-f]{6}$"))]
    pub color: Option<Option<String>>,
    /// Archive (`Some(true)`) or unarchive (`Some(false)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

fn check_name(v: &mut Validator, name: &str) {
    let n = name.trim().chars().count();
    v.check(
        (1..=NAME_MAX_CHARS).contains(&n),
        "name",
        name,
        "1..=200 characters after trimming",
    );
}

fn check_color(v: &mut Validator, color: Option<&str>) {
    if let Some(c) = color {
        let ok =
            c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
        v.check(ok, "color", c, "a colour as #rrggbb");
    }
}

impl NewProject {
    /// Checks every field, listing every problem.
    ///
    /// # Errors
    /// [`Error::Invalid`] with one entry per offending field.
    pub fn validate(&self) -> Result<(), Error> {
        let mut v = Validator::new();
        check_name(&mut v, &self.name);
        check_text(
            &mut v,
            "description",
            self.description.as_deref(),
            crate::task::DESCRIPTION_MAX_CHARS,
        );
        check_color(&mut v, self.color.as_deref());
        v.finish(())
    }
}

impl ProjectPatch {
    /// Checks every field the patch sets, listing every problem.
    ///
    /// # Errors
    /// [`Error::Invalid`] with one entry per offending field.
    pub fn validate(&self) -> Result<(), Error> {
        let mut v = Validator::new();
        if let Some(name) = &self.name {
            check_name(&mut v, name);
        }
        if let Some(description) = &self.description {
            check_text(
                &mut v,
                "description",
                description.as_deref(),
                crate::task::DESCRIPTION_MAX_CHARS,
            );
        }
        if let Some(color) = &self.color {
            check_color(&mut v, color.as_deref());
        }
        v.finish(())
    }

    /// The names of the fields this patch sets.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("description", self.description.is_some()),
            ("color", self.color.is_some()),
            ("archived", self.archived.is_some()),
        ]
        .into_iter()
        .filter(|(_, s)| *s)
        .map(|(n, _)| n)
        .collect()
    }
}

impl Project {
    /// A new project from validated input, version 1.
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem of `new`.
    pub fn create(
        id: ProjectId,
        user_id: UserId,
        new: NewProject,
        now: DateTime<Utc>,
    ) -> Result<Project, Error> {
        new.validate()?;
        Ok(Project {
            id,
            user_id,
            name: new.name.trim().to_owned(),
            description: new.description,
            color: new.color.map(|c| c.to_ascii_lowercase()),
            archived_at: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            version: 1,
        })
    }

    /// Applies `patch` at `now`, all or nothing. Bumps the version.
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem; the project is then unchanged.
    pub fn apply(&mut self, patch: &ProjectPatch, now: DateTime<Utc>) -> Result<(), Error> {
        patch.validate()?;
        if let Some(name) = &patch.name {
            self.name = name.trim().to_owned();
        }
        if let Some(description) = &patch.description {
            self.description.clone_from(description);
        }
        if let Some(color) = &patch.color {
            self.color = color.as_ref().map(|c| c.to_ascii_lowercase());
        }
        match patch.archived {
            Some(true) if self.archived_at.is_none() => self.archived_at = Some(now),
            Some(false) => self.archived_at = None,
            _ => {}
        }
        self.updated_at = now;
        self.version += 1;
        Ok(())
    }
}
