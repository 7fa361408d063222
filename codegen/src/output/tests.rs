//! The regeneration decision table, one tiny case per row, the merge's conflict markers, and
//! the folder-level behaviour (`.ficusignore`, base copies, removed files, old manifests).

use std::path::Path;

use super::decide::{Action, Last, Record, decide, merge3};
use super::manifest::hash_hex;
use super::{GeneratedFile, MANIFEST, check_output_folder, plan_output};

const BASE: &str = "one\ntwo\nthree\nfour\nfive\n";

/// Decides for a file the generator owns (`once` false) or writes once, given what the
/// manifest held (the last generated text, and whether its base copy is there), and
/// compares the action, the text written and what the manifest records.
#[track_caller]
fn check(
    generated: Option<(&str, bool)>,
    last: Option<(&str, bool)>,
    on_disk: Option<&str>,
    expected: (Action, Option<&str>, Record),
) {
    let file = generated.map(|(text, once)| GeneratedFile {
        path: "src/lib.rs".to_string(),
        text: text.to_string(),
        once,
        template: None,
    });
    let hash = last.map(|(base, _)| hash_hex(base)).unwrap_or_default();
    let last = last.map(|(base, copy_kept)| Last {
        hash: &hash,
        base: copy_kept.then_some(base),
    });
    let decision = decide(file.as_ref(), last, on_disk);
    assert_eq!(
        (decision.action, decision.text.as_deref(), decision.record),
        expected,
        "{}",
        decision.reason
    );
}

#[test]
fn a_new_file_is_created() {
    check(
        Some((BASE, false)),
        None,
        None,
        (Action::Create, Some(BASE), Record::Generated),
    );
}

#[test]
fn a_generated_file_deleted_by_hand_is_written_again() {
    check(
        Some((BASE, false)),
        Some((BASE, true)),
        None,
        (Action::Create, Some(BASE), Record::Generated),
    );
}

#[test]
fn a_file_written_once_and_deleted_by_hand_stays_deleted() {
    check(
        Some((BASE, true)),
        Some((BASE, true)),
        None,
        (Action::Skip, None, Record::Generated),
    );
}

#[test]
fn a_file_equal_to_the_new_text_is_skipped() {
    check(
        Some((BASE, false)),
        Some(("old\n", true)),
        Some(BASE),
        (Action::Skip, None, Record::Generated),
    );
}

#[test]
fn an_unedited_file_is_updated_whoever_owns_it() {
    let new = "one\ntwo\nthree\nfour\nfive\nsix\n";
    for once in [false, true] {
        check(
            Some((new, once)),
            Some((BASE, true)),
            Some(BASE),
            (Action::Update, Some(new), Record::Generated),
        );
    }
    // Without a base copy the hash tells the file is as generated.
    check(
        Some((new, true)),
        Some((BASE, false)),
        Some(BASE),
        (Action::Update, Some(new), Record::Generated),
    );
}

#[test]
fn an_edited_file_is_kept_when_the_generator_text_did_not_change() {
    let edited = "one\ntwo (mine)\nthree\nfour\nfive\n";
    for once in [false, true] {
        check(
            Some((BASE, once)),
            Some((BASE, true)),
            Some(edited),
            (Action::Skip, None, Record::Generated),
        );
    }
}

#[test]
fn edits_and_generator_changes_apart_are_merged() {
    let edited = "one\ntwo (mine)\nthree\nfour\nfive\n";
    let new = "one\ntwo\nthree\nfour\nfive (new)\n";
    for once in [false, true] {
        check(
            Some((new, once)),
            Some((BASE, true)),
            Some(edited),
            (
                Action::Merge,
                Some("one\ntwo (mine)\nthree\nfour\nfive (new)\n"),
                Record::Generated,
            ),
        );
    }
}

#[test]
fn overlapping_edits_are_written_with_git_diff3_markers() {
    check(
        Some(("one\ntwo (new)\nthree\nfour\nfive\n", true)),
        Some((BASE, true)),
        Some("one\ntwo (mine)\nthree\nfour\nfive\n"),
        (
            Action::Conflict,
            Some(
                "one\n<<<<<<< yours\ntwo (mine)\n||||||| generated (last)\ntwo\n=======\ntwo (new)\n>>>>>>> generated (new)\nthree\nfour\nfive\n",
            ),
            Record::Generated,
        ),
    );
}

#[test]
fn an_edited_file_without_a_base_copy_is_kept() {
    check(
        Some(("one\n", false)),
        Some((BASE, false)),
        Some("mine\n"),
        (Action::Skip, None, Record::Generated),
    );
}

#[test]
fn a_file_still_holding_markers_is_a_conflict_left_alone() {
    let marked = "one\n<<<<<<< yours\ntwo (mine)\n=======\ntwo\n>>>>>>> generated (new)\n";
    check(
        Some(("one\ntwo (newer)\n", true)),
        Some(("one\ntwo\n", true)),
        Some(marked),
        (Action::Conflict, None, Record::Previous),
    );
}

#[test]
fn a_file_no_longer_generated_is_deleted_unless_edited() {
    check(
        None,
        Some((BASE, true)),
        Some(BASE),
        (Action::Delete, None, Record::Forget),
    );
    check(
        None,
        Some((BASE, false)),
        Some("mine\n"),
        (Action::Skip, None, Record::Previous),
    );
    check(
        None,
        Some((BASE, true)),
        None,
        (Action::Skip, None, Record::Forget),
    );
}

#[test]
fn a_file_the_manifest_does_not_list_is_never_overwritten() {
    check(
        Some((BASE, false)),
        None,
        Some("mine\n"),
        (Action::Skip, None, Record::Previous),
    );
}

#[test]
fn markers_are_made_longer_than_any_marker_like_line_of_the_inputs() {
    let base = "a\n<<<<<<< ours\nb\n";
    let marked = merge3(base, "a\n<<<<<<< ours\nmine\n", "a\n<<<<<<< ours\nnew\n").unwrap_err();
    assert_eq!(
        marked,
        "a\n<<<<<<< ours\n<<<<<<<< yours\nmine\n|||||||| generated (last)\nb\n========\nnew\n>>>>>>>> generated (new)\n"
    );
}

#[test]
fn a_last_line_without_newline_still_gets_markers_on_lines_of_their_own() {
    let marked = merge3("a\nb", "a\nmine", "a\nnew").unwrap_err();
    assert_eq!(
        marked,
        "a\n<<<<<<< yours\nmine\n||||||| generated (last)\nb\n=======\nnew\n>>>>>>> generated (new)\n"
    );
}

fn file(path: &str, text: &str, once: bool) -> GeneratedFile {
    GeneratedFile {
        path: path.to_string(),
        text: text.to_string(),
        once,
        template: Some("t".to_string()),
    }
}

fn read(out: &Path, path: &str) -> String {
    std::fs::read_to_string(out.join(path)).unwrap()
}

fn actions(out: &Path, files: &[GeneratedFile]) -> Vec<(String, Action)> {
    plan_output(out, files)
        .unwrap()
        .changes()
        .iter()
        .map(|change| (change.path.clone(), change.action))
        .collect()
}

#[test]
fn a_run_keeps_base_copies_and_a_second_run_merges_against_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    plan_output(&out, &[file("a.rs", BASE, true)])
        .unwrap()
        .write()
        .unwrap();
    assert_eq!(read(&out, ".ficus-generate/base/a.rs"), BASE);
    let manifest = read(&out, MANIFEST);
    assert!(
        manifest.contains("\"template\": \"t\"") && manifest.contains(&hash_hex(BASE)),
        "{manifest}"
    );

    std::fs::write(out.join("a.rs"), "one\ntwo (mine)\nthree\nfour\nfive\n").unwrap();
    let new = "one\ntwo\nthree\nfour\nfive (new)\n";
    plan_output(&out, &[file("a.rs", new, true)])
        .unwrap()
        .write()
        .unwrap();
    assert_eq!(
        read(&out, "a.rs"),
        "one\ntwo (mine)\nthree\nfour\nfive (new)\n"
    );
    // The base is the generator's text, not the merged file: the edit stays an edit.
    assert_eq!(read(&out, ".ficus-generate/base/a.rs"), new);
    assert_eq!(
        actions(&out, &[file("a.rs", new, true)]),
        [("a.rs".to_string(), Action::Skip)]
    );
}

#[test]
fn a_file_no_longer_generated_goes_with_its_base_copy_and_empty_folders() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let files = [
        file("a.rs", "a\n", false),
        file("old/deep/b.rs", "b\n", false),
    ];
    plan_output(&out, &files).unwrap().write().unwrap();
    let plan = plan_output(&out, &files[..1]).unwrap();
    assert!(plan.is_stale());
    plan.write().unwrap();
    assert!(!out.join("old").exists());
    assert!(!out.join(".ficus-generate/base/old/deep/b.rs").exists());
    assert!(!read(&out, MANIFEST).contains("old/deep/b.rs"));
    assert!(!plan_output(&out, &files[..1]).unwrap().is_stale());
}

#[test]
fn ficusignore_excludes_files_from_writing_and_from_the_foreign_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("notes")).unwrap();
    std::fs::write(out.join("notes/todo.txt"), "mine\n").unwrap();
    assert!(check_output_folder(&out).is_err());
    std::fs::write(out.join(".ficusignore"), "# my files\nnotes/\n/b.rs\n").unwrap();
    check_output_folder(&out).unwrap();

    let files = [file("a.rs", "a\n", false), file("b.rs", "b\n", false)];
    let plan = plan_output(&out, &files).unwrap();
    assert_eq!(
        plan.changes()
            .iter()
            .map(|change| (change.path.as_str(), change.action, change.reason))
            .collect::<Vec<_>>(),
        [
            ("a.rs", Action::Create, "new"),
            ("b.rs", Action::Skip, "listed in .ficusignore")
        ]
    );
    plan.write().unwrap();
    assert!(!out.join("b.rs").exists());
    assert!(!read(&out, MANIFEST).contains("b.rs"));
    assert_eq!(read(&out, "notes/todo.txt"), "mine\n");
}

#[test]
fn a_ficusignore_line_that_is_no_pattern_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".ficusignore"), "ok\nbad[z-a]\n").unwrap();
    let error = check_output_folder(dir.path()).unwrap_err().to_string();
    assert!(error.contains(".ficusignore:2: "), "{error}");
}

#[test]
fn a_manifest_of_an_earlier_version_is_read_and_its_edited_files_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    std::fs::write(out.join("a.rs"), "a\n").unwrap();
    std::fs::write(out.join("b.rs"), "mine\n").unwrap();
    let manifest = serde_json::json!({
        "generator": "ficus generate",
        "files": [
            { "path": "a.rs", "owner": "generator", "fnv1a64": hash_hex("a\n") },
            { "path": "b.rs", "owner": "people", "fnv1a64": hash_hex("b\n") },
        ]
    });
    std::fs::write(out.join(MANIFEST), manifest.to_string()).unwrap();
    assert_eq!(
        actions(
            out,
            &[file("a.rs", "a2\n", false), file("b.rs", "b2\n", true)]
        ),
        [
            ("a.rs".to_string(), Action::Update),
            ("b.rs".to_string(), Action::Skip)
        ]
    );
}
