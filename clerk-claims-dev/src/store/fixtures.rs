//! The fixtures file: the whole state as JSON, read at start and rewritten after every change.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::State;

impl State {
    /// Reads a fixtures file (the JSON [`State::save`] writes).
    ///
    /// # Errors
    /// A message naming the file and what is wrong with it.
    ///
    /// ```
    /// use clerk_claims_dev::State;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("state.json");
    /// State::default().save(&path).unwrap();
    /// assert_eq!(State::load(&path).unwrap(), State::default());
    /// std::fs::write(&path, "[]").unwrap();
    /// assert!(State::load(&path).unwrap_err().contains("not a dev issuer fixtures file"));
    /// ```
    pub fn load(path: &Path) -> Result<State, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the fixtures file {}: {e}", path.display()))?;
        // An object: serde would also take an array as a struct's fields in order.
        let object = match serde_json::from_str::<Value>(&text) {
            Ok(value @ Value::Object(_)) => Ok(value),
            Ok(_) => Err("the file holds JSON, but not an object".to_string()),
            Err(e) => Err(e.to_string()),
        };
        object.and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string())).map_err(|e| {
            format!(
                "{} is not a dev issuer fixtures file: {e} (write one with `clerk-claims dev --fixtures`)",
                path.display()
            )
        })
    }

    /// Writes the state to `path` (a temporary file renamed over it, so a reader never sees half).
    ///
    /// # Errors
    /// The I/O error, with the path.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let mut temporary = PathBuf::from(path);
        temporary.as_mut_os_string().push(".tmp");
        std::fs::write(&temporary, text + "\n")
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| format!("cannot write the fixtures file {}: {e}", path.display()))
    }
}
