//! The fixtures file: the whole state as JSON, read at start and rewritten after every change.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use super::State;

/// Why a fixtures file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixturesError {
    /// The file could not be read.
    #[error("cannot read the fixtures file {path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not a state this issuer wrote.
    #[error(
        "{path} is not a dev issuer fixtures file: {reason} (write one with `clerk-claims dev --fixtures`)"
    )]
    Invalid {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with its JSON.
        reason: String,
    },
    /// The file could not be written.
    #[error("cannot write the fixtures file {path}: {source}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

impl State {
    /// Reads a fixtures file (the JSON [`State::save`] writes).
    ///
    /// # Errors
    /// [`FixturesError::Read`] or [`FixturesError::Invalid`], naming the file.
    ///
    /// ```
    /// use clerk_claims_dev::State;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("state.json");
    /// State::default().save(&path).unwrap();
    /// assert_eq!(State::load(&path).unwrap(), State::default());
    /// std::fs::write(&path, "[]").unwrap();
    /// assert!(State::load(&path).unwrap_err().to_string().contains("not a dev issuer fixtures file"));
    /// ```
    pub fn load(path: &Path) -> Result<State, FixturesError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| FixturesError::Read { path: path.to_path_buf(), source })?;
        // An object: serde would also take an array as a struct's fields in order.
        let object = match serde_json::from_str::<Value>(&text) {
            Ok(value @ Value::Object(_)) => Ok(value),
            Ok(_) => Err("the file holds JSON, but not an object".to_string()),
            Err(e) => Err(e.to_string()),
        };
        object
            .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
            .map_err(|reason| FixturesError::Invalid { path: path.to_path_buf(), reason })
    }

    /// Writes the state to `path`: into a uniquely named temporary file in the same directory,
    /// readable and writable by its owner only (it holds templates' signing secrets), then renamed
    /// over `path`. A reader sees the old file or the new one, never half of one; a symlink at
    /// `path` is replaced, not followed.
    ///
    /// # Errors
    /// [`FixturesError::Write`], naming the file.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use std::os::unix::fs::PermissionsExt;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("state.json");
    /// clerk_claims_dev::State::default().save(&path).unwrap();
    /// assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    /// # }
    /// ```
    pub fn save(&self, path: &Path) -> Result<(), FixturesError> {
        let failed = |source: std::io::Error| FixturesError::Write { path: path.to_path_buf(), source };
        let text = serde_json::to_string_pretty(self).map_err(|e| failed(e.into()))? + "\n";
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        // `tempfile` creates the file with mode 0600 and a name no one else can guess or pre-create.
        let mut temporary = tempfile::Builder::new().prefix(".fixtures-").tempfile_in(dir).map_err(failed)?;
        temporary.write_all(text.as_bytes()).and_then(|()| temporary.as_file().sync_all()).map_err(failed)?;
        temporary.persist(path).map_err(|e| failed(e.error))?;
        Ok(())
    }
}
