//! The step classifier ([`playbook::classifier`]) kept in `index/classifier.bin`: trained on
//! the first search, used as kept afterwards, trained again when the steps change, and a
//! damaged file costs nothing but the time to train it again.

use crate::common::{search_json, shipped_tree};

const MODEL: &str = "index/classifier.bin";
const QUERY: &[&str] = &["--limit", "10", "--", "kunden vil have sine penge tilbage"];

fn answer(root: &std::path::Path) -> Vec<(String, String)> {
    let (json, code, stderr) = search_json(root, QUERY);
    assert_eq!(code, 0, "{stderr}");
    json.results
        .iter()
        .map(|r| (r.playbook.clone(), r.step.clone()))
        .collect()
}

#[test]
fn a_kept_model_a_damaged_one_and_a_retrained_one_answer_alike() {
    let tree = shipped_tree();
    let root = tree.path();
    let first = answer(root);
    let model = root.join(MODEL);
    let kept = std::fs::read(&model).expect("the first search keeps the model");
    assert!(kept.len() > 1000);
    // Kept: read, not trained again.
    assert_eq!(answer(root), first);
    assert_eq!(std::fs::read(&model).unwrap(), kept);
    // A flipped bit fails its checksum: trained again, the same answer, the file repaired.
    let mut damaged = kept.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x10;
    std::fs::write(&model, &damaged).unwrap();
    assert_eq!(answer(root), first);
    assert_eq!(std::fs::read(&model).unwrap(), kept);
    // Gone: the same.
    std::fs::remove_file(&model).unwrap();
    assert_eq!(answer(root), first);
    assert_eq!(std::fs::read(&model).unwrap(), kept);
}

#[test]
fn an_edited_step_trains_a_new_model() {
    let tree = shipped_tree();
    let root = tree.path();
    answer(root);
    let model = root.join(MODEL);
    let before = std::fs::read(&model).unwrap();
    let path = root.join("playbooks/da/vrede-klienter.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen(
        "**Agents ask:**\n",
        "**Agents ask:**\n- zebrafisk i røret\n",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
    answer(root);
    assert_ne!(std::fs::read(&model).unwrap(), before);
}
