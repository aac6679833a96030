//! Integration tests for `playbook check`: they build temporary playbook trees, run the real
//! binary on them, and read its JSON (or human) output.

use assert_cmd::Command;
use predicates::prelude::*;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// What `playbook check --format json` prints.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckJson {
    files: usize,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<Diag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Diag {
    path: String,
    line: usize,
    col: usize,
    severity: Severity,
    code: String,
    message: String,
    #[serde(default)]
    hint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Error,
    Warning,
}

impl Severity {
    fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl Diag {
    /// The first line the human format prints for this diagnostic.
    fn human_line(&self) -> String {
        format!(
            "{}:{}:{}: {}[{}]: {}",
            self.path,
            self.line,
            self.col,
            self.severity.word(),
            self.code,
            self.message
        )
    }
}

impl CheckJson {
    fn errors(&self) -> Vec<&Diag> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect()
    }

    fn warnings(&self) -> Vec<&Diag> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect()
    }

    /// The diagnostic with this code, path and line; panics with the full list otherwise.
    fn find(&self, code: &str, path: &str, line: usize) -> &Diag {
        self.diagnostics
            .iter()
            .find(|d| d.code == code && d.path == path && d.line == line)
            .unwrap_or_else(|| panic!("expected {code} at {path}:{line}; got:\n{}", self.listing()))
    }

    fn for_path(&self, path: &str) -> Vec<&Diag> {
        self.diagnostics.iter().filter(|d| d.path == path).collect()
    }

    fn listing(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| format!("  {}", d.human_line()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

// ---------------------------------------------------------------------------------------------
// Running the binary.
// ---------------------------------------------------------------------------------------------

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> CheckJson {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not the check JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `playbook --color never --root ROOT check ARGS...` from inside `cwd`.
fn playbook(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("playbook")
        .expect("the playbook binary")
        .current_dir(cwd)
        .env_remove("PLAYBOOK_ROOT")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run playbook");
    Run {
        code: output
            .status
            .code()
            .unwrap_or_else(|| panic!("playbook was killed by a signal: {:?}", output.status)),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn check(tree: &Tree, extra: &[&str]) -> Run {
    let root = tree.root().to_str().expect("UTF-8 temp path").to_string();
    let mut args = vec!["--color", "never", "--root", root.as_str(), "check"];
    args.extend_from_slice(extra);
    playbook(tree.root(), &args)
}

fn check_json(tree: &Tree, extra: &[&str]) -> (i32, CheckJson) {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let run = check(tree, &args);
    (run.code, run.json())
}

// ---------------------------------------------------------------------------------------------
// Building trees.
// ---------------------------------------------------------------------------------------------

/// A temporary repository: `<tmp>/playbooks/...`.
struct Tree {
    dir: TempDir,
}

impl Tree {
    /// An empty tree with `playbooks/situations.toml` only.
    fn new(taxonomy: &str) -> Tree {
        let tree = Tree {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        tree.write("playbooks/situations.toml", taxonomy);
        tree
    }

    /// The clean tree: the test taxonomy and one valid playbook per language.
    fn clean() -> Tree {
        let tree = Tree::new(TAXONOMY);
        for (path, text) in CLEAN_PLAYBOOKS {
            tree.write(path, text);
        }
        tree
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file at a path relative to the root, creating its folders.
    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).expect("create folders");
        std::fs::write(&path, contents).expect("write fixture");
    }

    fn remove(&self, rel: &str) {
        std::fs::remove_file(self.root().join(rel)).expect("remove fixture");
    }
}

/// The 1-based line of the `n`-th (1-based) line of `text` containing `needle`.
fn line_of_nth(text: &str, needle: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(n - 1)
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("`{needle}` (#{n}) not in fixture:\n{text}"))
}

fn line_of(text: &str, needle: &str) -> usize {
    line_of_nth(text, needle, 1)
}

/// The line of the `[[situation]]` header of situation `id` in a taxonomy.
fn situation_line(taxonomy: &str, id: &str) -> usize {
    let id_line = line_of(taxonomy, &format!("id = \"{id}\""));
    let header = taxonomy
        .lines()
        .take(id_line)
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[situation]]")
        .last()
        .expect("a [[situation]] header")
        .0;
    header + 1
}

/// A four-situation taxonomy: `angry-customer`, and the three headline situations with six
/// synonyms per language (so that it is free of warnings).
const TAXONOMY: &str = r#"# Test taxonomy: four situations, three of them headline.

[[situation]]
id = "angry-customer"
label = "Angry customer"
description = "The customer is angry or upset and emotional: stay calm and let them vent."

[situation.labels]
fa = "مشتری عصبانی"
ro = "Client furios"
th = "ลูกค้าโกรธ"
da = "Vred kunde"

[situation.synonyms]
en = ["angry customer", "upset", "furious", "irate", "shouting", "venting"]
fa = ["مشتری عصبانی", "مشتری ناراحت", "خشمگین", "داد می‌زند", "از کوره در رفته", "کلافه"]
ro = ["client furios", "supărat", "nervos", "țipă", "iritat", "enervat"]
th = ["ลูกค้าโกรธ", "โมโห", "ไม่พอใจ", "ตะโกน", "หงุดหงิด", "อารมณ์เสีย"]
da = ["vred kunde", "sur", "rasende", "råber", "ophidset", "frustreret"]

[[situation]]
id = "abusive-caller"
label = "Abusive caller"
description = "The caller swears at, insults or threatens the agent."
headline = true

[situation.labels]
fa = "تماس‌گیرنده بددهن"
ro = "Apelant abuziv"
th = "ผู้โทรที่ใช้คำหยาบ"
da = "Krænkende opkald"

[situation.synonyms]
en = ["abusive caller", "swearing", "insulting", "rude customer", "cursing", "verbal abuse"]
fa = ["فحش می‌دهد", "توهین", "بی‌ادبی", "بددهنی", "ناسزا", "مشتری بی‌ادب"]
ro = ["apelant abuziv", "înjură", "jignește", "insulte", "client nepoliticos", "limbaj vulgar"]
th = ["ด่า", "คำหยาบ", "ดูถูก", "ลูกค้าหยาบคาย", "พูดจาไม่สุภาพ", "ข่มขู่"]
da = ["bander", "sviner", "fornærmende", "uhøflig kunde", "grov tone", "skælder ud"]

[[situation]]
id = "refund-demand"
label = "Refund demand"
description = "The customer wants their money back or a replacement."
headline = true

[situation.labels]
fa = "درخواست بازپرداخت"
ro = "Cerere de rambursare"
th = "ขอเงินคืน"
da = "Krav om refusion"

[situation.synonyms]
en = ["refund", "money back", "wants a refund", "chargeback", "reimbursement", "compensation"]
fa = ["پس دادن پول", "بازپرداخت", "استرداد وجه", "پولمو پس بده", "عودت وجه", "پول برگشت"]
ro = ["rambursare", "banii înapoi", "returnarea banilor", "vreau banii", "despăgubire", "restituire"]
th = ["ขอเงินคืน", "คืนเงิน", "เงินคืน", "ขอคืนเงิน", "ชดเชย", "เคลมเงิน"]
da = ["refusion", "pengene tilbage", "tilbagebetaling", "kompensation", "erstatning", "vil have pengene"]

[[situation]]
id = "manager-request"
label = "Manager request"
description = "The customer asks to speak to a manager or a supervisor."
headline = true

[situation.labels]
fa = "درخواست صحبت با مدیر"
ro = "Cerere de a vorbi cu managerul"
th = "ขอคุยกับผู้จัดการ"
da = "Vil tale med en leder"

[situation.synonyms]
en = ["manager", "supervisor", "speak to your boss", "escalate", "someone in charge", "team leader"]
fa = ["مدیر", "سرپرست", "می‌خواهم با مدیر صحبت کنم", "مسئول", "رئیس", "مدیرتان"]
ro = ["manager", "șeful", "supervizor", "vreau să vorbesc cu șeful", "responsabil", "conducerea"]
th = ["ผู้จัดการ", "หัวหน้า", "ขอคุยกับหัวหน้า", "ผู้ดูแล", "ผู้รับผิดชอบ", "เจ้านาย"]
da = ["leder", "chef", "din chef", "overordnet", "ansvarlig", "tale med en leder"]
"#;

const DA_CLEAN: &str = r#"+++
id = "da-vrede-klienter"
title = "Sådan håndterer du vrede klienter"
lang = "da"
owner = "team-nordic"
reviewed = "2026-11-22"

[source]
title = "Sådan håndterer du vrede klienter"
publisher = "wikiHow"
date = "2021-10-15"
file = "003_115cf4bed3c641cf.txt"
+++

Hvis du arbejder i kundeservice, vil du før eller siden få opkald fra vrede klienter.

# Del 1 af 2: Hold roen

## Trin 1. Påtal uhøflig opførsel {#paatal-uhoeflig-opfoersel}

**Situations:** abusive-caller, angry-customer

Giv klienten en chance for at udtrykke sine følelser, men irettesæt ham, hvis han bliver ved med at bande.

- Tal roligt og tydeligt, også selvom klienten råber.

**Say:**
- "Jeg kan forstå din skuffelse, men jeg bliver nødt til at lægge på, hvis du bliver ved med at tale sådan."

**Say (added):**
- Lad os tale roligt sammen, så jeg kan hjælpe dig.

**Gloss:** Warn a rude customer that you will end the call if the abuse goes on.

**Don't say:**
- Slap nu af!

**Escalate when:** the customer keeps swearing after one warning.

# Del 2 af 2: Find en løsning

## Trin 2. Tilbyd refusion eller en leder {#tilbyd-refusion-eller-leder}

**Situations:** refund-demand, manager-request

Hvis klienten kræver pengene tilbage eller vil tale med din chef, så forklar roligt, hvad du kan gøre.

**Say (added):**
- Jeg ser lige på, om du kan få pengene tilbage.
- Jeg kan bede min leder om at ringe dig op i dag.

**Gloss:** Check the purchase, then offer a refund or a call back from a manager.
"#;

const FA_CLEAN: &str = r#"+++
id = "fa-moshtari-asabani"
title = "چگونه با مشتری عصبانی برخورد کنیم"
lang = "fa"

[source]
title = "چگونه با مشتری عصبانی برخورد کنیم"
date = "۱۴۰۲/۰۵/۱۲"
file = "010_fa.txt"
+++

برخورد با مشتری عصبانی بخشی از کار هر کارشناس پشتیبانی است.

## آرامش خود را حفظ کنید {#stay-calm}

**Situations:** abusive-caller, angry-customer

حالت تدافعی شما موجب افزایش تنش می شود. با صدای آرام صحبت کنید و به مشتری توهین نکنید.

**Say (added):**
- «متوجه ناراحتی شما هستم، اما لطفاً با احترام صحبت کنیم.»

**Gloss:** Stay calm and ask the caller to speak respectfully.

## پیشنهاد بازپرداخت یا تماس مدیر {#offer-refund-or-manager}

**Situations:** refund-demand, manager-request

اگر مشتری پول خود را پس می خواهد یا می خواهد با مدیر صحبت کند، شرایط بازپرداخت را توضیح دهید.

**Say:**
- «بررسی می کنم که آیا امکان بازپرداخت وجود دارد.»
- «از مدیرم می خواهم با شما تماس بگیرد.»

**Gloss:** Explain the refund rules and offer a call back from a manager.
"#;

const RO_CLEAN: &str = r#"+++
id = "ro-clienti-nemultumiti"
title = "Reguli pentru lucrul cu clienții nemulțumiți"
lang = "ro"

[source]
title = "Reguli pentru lucrul cu clienții nemulțumiți"
file = "001_6d536a11a5333db0.txt"
+++

Orice loc de muncă presupune, într-un fel sau altul, comunicarea cu oamenii.

# Reguli pentru lucrul cu clienții nemulțumiți

## 1. Nu răspundeți la insulte {#nu-raspundeti-la-insulte}

**Situations:** abusive-caller, angry-customer

Dacă clientul ridică vocea sau vă jignește, nu reacționați la fel de puternic. Păstrați un ton calm și prietenos.

**Say (added):**
- Vă înțeleg, dar vă rog să vorbim pe un ton calm.

**Gloss:** Do not answer insults in kind; keep a calm, friendly tone.

## 2. Oferiți o soluție concretă {#oferiti-o-solutie-concreta}

**Situations:** refund-demand, manager-request

Dacă clientul cere banii înapoi sau vrea să vorbească cu șeful dumneavoastră, explicați ce puteți face.

**Say:**
- „Verific acum dacă vă putem returna banii.”
- „Îl rog pe managerul meu să vă sune înapoi.”

**Gloss:** Say what you can do: check whether a refund is possible, or have a manager call back.
"#;

const TH_CLEAN: &str = r#"+++
id = "th-unhappy-customers"
title = "วิธีจัดการกับลูกค้าที่ไม่มีความสุข"
lang = "th"

[source]
title = "วิธีจัดการกับลูกค้าที่ไม่มีความสุข"
date = "2021-10-15"
file = "002_a35df792b1d3e0a4.txt"
+++

ผู้บริโภคที่โกรธเคืองอาจรับมือได้ยาก โดยเฉพาะอย่างยิ่งหากคุณมีลูกค้ารายอื่นรออยู่

## อย่าตอบโต้คำหยาบ {#do-not-answer-insults}

**Situations:** abusive-caller, angry-customer

หากลูกค้าใช้คำหยาบหรือตะโกน ให้คุณพูดด้วยน้ำเสียงสงบและสุภาพ

**Say (added):**
- ฉันเข้าใจว่าคุณไม่พอใจ แต่ขอให้เราคุยกันอย่างสุภาพนะคะ

**Gloss:** Answer insults with a calm, polite voice.

## เสนอการคืนเงิน {#offer-a-refund}

**Situations:** refund-demand, manager-request

ถ้าลูกค้าต้องการเงินคืนหรือขอคุยกับผู้จัดการ ให้อธิบายขั้นตอนอย่างชัดเจน

**Say (added):**
- ฉันจะตรวจสอบว่าคุณสามารถได้รับเงินคืนได้หรือไม่ค่ะ
- ฉันจะให้ผู้จัดการโทรกลับหาคุณค่ะ

**Gloss:** Explain the refund steps, or arrange a call back from a manager.
"#;

const CLEAN_PLAYBOOKS: [(&str, &str); 4] = [
    ("playbooks/da/vrede-klienter.md", DA_CLEAN),
    ("playbooks/fa/moshtari-asabani.md", FA_CLEAN),
    ("playbooks/ro/clienti-nemultumiti.md", RO_CLEAN),
    ("playbooks/th/unhappy-customers.md", TH_CLEAN),
];

/// Front matter for a Danish playbook (8 lines: the body starts on line 9).
fn da_front(id: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"Vrede klienter\"\nlang = \"da\"\n\n[source]\ntitle = \"Sådan håndterer du vrede klienter\"\n+++\n"
    )
}

/// A valid Danish step tagged `angry-customer`.
fn da_step(heading: &str, id: &str) -> String {
    format!(
        "\n## {heading} {{#{id}}}\n\n**Situations:** angry-customer\n\nLyt til klienten uden at afbryde.\n\n**Say (added):**\n- Jeg lytter, fortæl mig hvad der er sket.\n\n**Gloss:** Listen without interrupting.\n"
    )
}

// ---------------------------------------------------------------------------------------------
// 1. A clean tree.
// ---------------------------------------------------------------------------------------------

#[test]
fn clean_tree_has_no_errors_and_no_warnings_even_with_strict() {
    let tree = Tree::clean();

    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 0, "diagnostics:\n{}", report.listing());
    assert_eq!(report.files, 4);
    assert_eq!(report.errors, 0, "{}", report.listing());
    assert_eq!(report.warnings, 0, "{}", report.listing());
    assert!(report.diagnostics.is_empty(), "{}", report.listing());

    let (code, report) = check_json(&tree, &["--strict"]);
    assert_eq!(code, 0, "--strict diagnostics:\n{}", report.listing());
    assert_eq!((report.errors, report.warnings), (0, 0));

    let human = check(&tree, &["--strict"]);
    assert_eq!(human.code, 0, "{}{}", human.stdout, human.stderr);
    assert_eq!(human.stdout, "", "a clean check prints no diagnostics");
    assert!(
        human.stderr.contains("checked 4 playbook file(s)")
            && human.stderr.contains("0 error(s), 0 warning(s)"),
        "summary on stderr: {}",
        human.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// 2. One tree full of mistakes, checked once.
// ---------------------------------------------------------------------------------------------

/// What one broken file should produce: (code, line) pairs, all errors.
struct Broken {
    path: String,
    contents: Vec<u8>,
    expected: Vec<(&'static str, usize)>,
}

fn broken(path: &str, contents: impl Into<Vec<u8>>, expected: &[(&'static str, usize)]) -> Broken {
    Broken {
        path: path.to_string(),
        contents: contents.into(),
        expected: expected.to_vec(),
    }
}

/// Every broken (and every tricky-but-valid) file of the broken tree.
fn broken_files() -> Vec<Broken> {
    let mut files = Vec::new();

    // E0101: no front matter at all.
    files.push(broken(
        "playbooks/da/01-uden-front-matter.md",
        "# Sådan håndterer du vrede klienter\n\nHvis du arbejder i kundeservice, får du vrede opkald.\n",
        &[("E0101", 1)],
    ));

    // E0102: `+++` opened, never closed.
    files.push(broken(
        "playbooks/da/02-uafsluttet-front-matter.md",
        "+++\nid = \"da-uafsluttet\"\ntitle = \"Vrede klienter\"\nlang = \"da\"\n\n## Lyt {#lyt}\n\n**Situations:** angry-customer\n\nLyt.\n\n**Gloss:** Listen.\n",
        &[("E0102", 1)],
    ));

    // E0103: a TOML error on line 9 (a bare word as a value, in [source]).
    let bad_toml = format!(
        "+++\nid = \"da-ugyldig-toml\"\ntitle = \"Vrede klienter\"\nlang = \"da\"\n\n[source]\ntitle = \"Sådan håndterer du vrede klienter\"\nfile = \"003.txt\"\npublisher = wikiHow\n+++\n{}",
        da_step("Trin 1. Lyt", "lyt")
    );
    let bad_toml_line = line_of(&bad_toml, "publisher = wikiHow");
    assert_eq!(bad_toml_line, 9);
    files.push(broken(
        "playbooks/da/03-ugyldig-toml.md",
        bad_toml,
        &[("E0103", bad_toml_line)],
    ));

    // E0205: a step takes the introduction's id.
    let reserved = format!(
        "{}\nHvis du arbejder i kundeservice, får du vrede opkald.\n{}",
        da_front("da-reserveret-id"),
        da_step("Trin 1. Lyt", "introduction")
    );
    let reserved_line = line_of(&reserved, "{#introduction}");
    files.push(broken(
        "playbooks/da/05a-reserveret-id.md",
        reserved,
        &[("E0205", reserved_line)],
    ));

    // E0403: how agents ask for an introduction the playbook does not have (the questions
    // would be searched for nothing); E0402: any other label before the first heading.
    let no_intro = format!(
        "{}\n**Agents ask:**\n- har kunden altid ret\n\n**Gloss:** An introduction.\n{}",
        da_front("da-spoergsmaal-uden-indledning"),
        da_step("Trin 1. Lyt", "lyt")
    );
    files.push(broken(
        "playbooks/da/05b-spoergsmaal-uden-indledning.md",
        no_intro.clone(),
        &[
            ("E0403", line_of(&no_intro, "**Agents ask:**")),
            ("E0402", line_of(&no_intro, "**Gloss:** An introduction.")),
        ],
    ));

    // E0105: a language the tool does not know, on line 4.
    files.push(broken(
        "playbooks/da/04-ukendt-sprog.md",
        format!(
            "+++\nid = \"de-wuetende-kunden\"\ntitle = \"Wütende Kunden\"\nlang = \"de\"\n\n[source]\ntitle = \"Wütende Kunden\"\n+++\n{}",
            da_step("Trin 1. Lyt", "lyt")
        ),
        &[("E0105", 4)],
    ));

    // E0203: the same step id twice in one file; reported on the second heading.
    let dup_step = format!(
        "{}{}{}",
        da_front("da-dobbelt-trin"),
        da_step("Trin 1. Lyt til klienten", "lyt-til-klienten"),
        da_step("Trin 2. Lyt igen", "lyt-til-klienten")
    );
    let second = line_of_nth(&dup_step, "{#lyt-til-klienten}", 2);
    files.push(broken(
        "playbooks/da/05-dobbelt-trin.md",
        dup_step,
        &[("E0203", second)],
    ));

    // E0204: two Romanian files with the same playbook id; the second one (in path order)
    // is reported, on its `id` line.
    let ro = |title: &str| {
        format!(
            "+++\nid = \"ro-clienti-furiosi\"\ntitle = \"{title}\"\nlang = \"ro\"\n\n[source]\ntitle = \"{title}\"\n+++\n\n## Ascultați clientul {{#ascultati-clientul}}\n\n**Situations:** angry-customer\n\nLăsați clientul să vorbească fără să-l întrerupeți.\n\n**Gloss:** Let the customer talk without interrupting.\n"
        )
    };
    files.push(broken(
        "playbooks/ro/clienti-furiosi-a.md",
        ro("Clienți furioși"),
        &[],
    ));
    files.push(broken(
        "playbooks/ro/clienti-furiosi-b.md",
        ro("Clienți furioși (copie)"),
        &[("E0204", 2)],
    ));

    // E0301: a misspelt situation, reported on its **Situations:** line.
    let unknown = format!(
        "{}\n## Trin 1. Tilbyd refusion {{#tilbyd-refusion}}\n\nKlienten vil have pengene tilbage.\n\n**Situations:** refund-demnad\n\n**Say:**\n- \"Jeg ser på, om du kan få pengene tilbage.\"\n\n**Gloss:** Offer to check for a refund.\n",
        da_front("da-ukendt-situation")
    );
    let unknown_line = line_of(&unknown, "**Situations:**");
    files.push(broken(
        "playbooks/da/08-ukendt-situation.md",
        unknown,
        &[("E0301", unknown_line)],
    ));

    // E0302: a step without **Situations:**, reported on its heading.
    let no_situations = format!(
        "{}\n## Trin 1. Lyt {{#lyt}}\n\nLyt til klienten uden at afbryde.\n\n**Gloss:** Listen without interrupting.\n",
        da_front("da-uden-situationer")
    );
    let line = line_of(&no_situations, "{#lyt}");
    files.push(broken(
        "playbooks/da/09-uden-situationer.md",
        no_situations,
        &[("E0302", line)],
    ));

    // E0303: a headline situation without any phrase, reported on the heading.
    let no_phrases = format!(
        "{}\n## Trin 1. Påtal uhøflig opførsel {{#paatal}}\n\n**Situations:** abusive-caller\n\nIrettesæt klienten, hvis han bander.\n\n**Gloss:** Warn a customer who swears.\n",
        da_front("da-uden-replikker")
    );
    let line = line_of(&no_phrases, "{#paatal}");
    files.push(broken(
        "playbooks/da/10-uden-replikker.md",
        no_phrases,
        &[("E0303", line)],
    ));

    // E0304: no **Gloss:**, reported on the heading.
    let no_gloss = format!(
        "{}\n## Trin 1. Lyt {{#lyt}}\n\n**Situations:** angry-customer\n\nLyt til klienten uden at afbryde.\n",
        da_front("da-uden-gloss")
    );
    let line = line_of(&no_gloss, "{#lyt}");
    files.push(broken(
        "playbooks/da/11-uden-gloss.md",
        no_gloss,
        &[("E0304", line)],
    ));

    // E0201: a step heading without `{#id}`.
    let no_id = format!(
        "{}\n## Trin 1. Lyt til klienten\n\n**Situations:** angry-customer\n\nLyt.\n\n**Gloss:** Listen.\n",
        da_front("da-uden-trin-id")
    );
    let line = line_of(&no_id, "## Trin 1.");
    files.push(broken(
        "playbooks/da/12-uden-trin-id.md",
        no_id,
        &[("E0201", line)],
    ));

    // E0002: invalid UTF-8 on line 5 (a Latin-1 `å` after "Tr").
    let mut latin1 =
        b"+++\nid = \"da-latin1\"\ntitle = \"Vrede klienter\"\nlang = \"da\"\nTr".to_vec();
    latin1.push(0xE5);
    latin1.extend_from_slice(b"d\n+++\n");
    files.push(broken(
        "playbooks/da/13-ugyldig-utf8.md",
        latin1,
        &[("E0002", 5)],
    ));

    // E0003: an empty file.
    files.push(broken("playbooks/da/14-tom.md", "", &[("E0003", 1)]));

    // E0004: NUL bytes on line 3.
    files.push(broken(
        "playbooks/da/15-binaer.md",
        b"+++\nid = \"x\"\n\x00\x01\x02\x00binary\n".to_vec(),
        &[("E0004", 3)],
    ));

    // E0005: over 2 MB.
    let mut huge = da_front("da-kaempe").into_bytes();
    while huge.len() <= 2 * 1024 * 1024 {
        huge.extend_from_slice("Lyt til klienten uden at afbryde. ".repeat(30).as_bytes());
        huge.extend_from_slice(b"\n\n");
    }
    files.push(broken("playbooks/da/16-kaempe.md", huge, &[("E0005", 1)]));

    // E0305: **Say:** followed by a paragraph instead of a list.
    let say_no_list = format!(
        "{}\n## Trin 1. Lyt {{#lyt}}\n\n**Situations:** angry-customer\n\nLyt til klienten.\n\n**Say:**\n\nJeg forstår godt, at du er vred.\n\n**Gloss:** Listen.\n",
        da_front("da-say-uden-liste")
    );
    let line = line_of(&say_no_list, "**Say:**");
    files.push(broken(
        "playbooks/da/17-say-uden-liste.md",
        say_no_list,
        &[("E0305", line)],
    ));

    // Valid, but with a byte-order mark and CRLF line endings: no diagnostics at all.
    let bom_crlf = format!(
        "\u{feff}{}",
        DA_CLEAN
            .replace("da-vrede-klienter", "da-bom-crlf")
            .replace('\n', "\r\n")
    );
    files.push(broken("playbooks/da/18-bom-crlf.md", bom_crlf, &[]));

    // Valid, with a list nested 1000 levels deep in a step's guidance.
    let mut nested = format!(
        "{}\n## Trin 1. Lyt {{#lyt}}\n\n**Situations:** angry-customer\n\n**Gloss:** Listen.\n\n",
        da_front("da-dybe-lister")
    );
    for depth in 0..1000 {
        nested.push_str(&"  ".repeat(depth));
        nested.push_str("- lyt\n");
    }
    // And 100 000 levels on one line, and as many nested quotes.
    nested.push('\n');
    nested.push_str(&"- ".repeat(100_000));
    nested.push_str("lyt\n\n");
    nested.push_str(&">".repeat(100_000));
    nested.push_str(" lyt\n");
    assert!(nested.len() < 2 * 1024 * 1024);
    files.push(broken("playbooks/da/19-dybe-lister.md", nested, &[]));

    // Several problems in one file: all of them are reported.
    let several = "+++\nid = \"th-several\"\ntitle = \"ลูกค้าที่ไม่มีความสุข\"\nlang = \"th\"\n\n[source]\ntitle = \"วิธีจัดการกับลูกค้าที่ไม่มีความสุข\"\n+++\n\n## ฟังอย่างตั้งใจ {#listen}\n\nลูกค้าที่ไม่มีความสุขต้องการให้คุณฟัง\n\n**Gloss:** Listen.\n\n## สงบสติอารมณ์ {#stay-calm}\n\n**Situations:** angry-customer\n\nพูดด้วยน้ำเสียงสงบ\n\n## ขอคุยกับผู้จัดการ {#manager}\n\n**Situations:** manager-requst\n\nอธิบายว่าผู้จัดการจะโทรกลับ\n\n**Say (added):**\n- ผู้จัดการจะโทรกลับหาคุณภายในวันนี้ค่ะ\n\n**Gloss:** Promise a call back from a manager.\n".to_string();
    let expected = [
        ("E0302", line_of(&several, "{#listen}")),
        ("E0304", line_of(&several, "{#stay-calm}")),
        ("E0301", line_of(&several, "manager-requst")),
    ];
    files.push(broken("playbooks/th/several.md", several, &expected));

    // One valid playbook in Persian so that not every language is broken.
    files.push(broken("playbooks/fa/moshtari-asabani.md", FA_CLEAN, &[]));

    files
}

#[test]
fn broken_tree_reports_every_problem_once_checked() {
    let tree = Tree::new(TAXONOMY);
    let files = broken_files();
    for f in &files {
        tree.write(&f.path, &f.contents);
    }

    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 1, "diagnostics:\n{}", report.listing());
    assert_eq!(report.files, files.len(), "every .md file is counted");
    assert_eq!(report.errors, report.errors().len());
    assert_eq!(report.warnings, report.warnings().len());

    // Each expected diagnostic is there, with its code, path and line...
    for f in &files {
        for &(code, line) in &f.expected {
            let d = report.find(code, &f.path, line);
            assert_eq!(d.severity, Severity::Error, "{d:?}");
            assert!(!d.message.is_empty(), "{d:?}");
        }
    }
    // ...and nothing else is an error: not only the first problem, and no noise.
    let expected: BTreeSet<(String, &str, usize)> = files
        .iter()
        .flat_map(|f| f.expected.iter().map(|&(c, l)| (f.path.clone(), c, l)))
        .collect();
    let got: BTreeSet<(String, &str, usize)> = report
        .errors()
        .iter()
        .map(|d| (d.path.clone(), d.code.as_str(), d.line))
        .collect();
    assert_eq!(
        got,
        expected,
        "errors differ from the expected ones; all diagnostics:\n{}",
        report.listing()
    );
    assert_eq!(report.errors, expected.len(), "each problem once");

    // Details that matter to a trainer.
    let unknown_line = files
        .iter()
        .find(|f| f.path == "playbooks/da/08-ukendt-situation.md")
        .unwrap()
        .expected[0]
        .1;
    assert_eq!(unknown_line, 14);
    let unknown = report.find("E0301", "playbooks/da/08-ukendt-situation.md", unknown_line);
    assert!(unknown.message.contains("refund-demnad"), "{unknown:?}");
    assert_eq!(
        unknown.hint.as_deref(),
        Some("did you mean `refund-demand`?"),
        "{unknown:?}"
    );
    let th_unknown = report
        .for_path("playbooks/th/several.md")
        .into_iter()
        .find(|d| d.code == "E0301")
        .unwrap();
    assert!(
        th_unknown
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("`manager-request`")),
        "{th_unknown:?}"
    );
    let utf8 = report.find("E0002", "playbooks/da/13-ugyldig-utf8.md", 5);
    assert_eq!(utf8.col, 3, "column of the bad byte: {utf8:?}");
    assert!(utf8.message.contains("0xE5"), "{utf8:?}");
    let toml = report.find("E0103", "playbooks/da/03-ugyldig-toml.md", 9);
    assert_eq!(toml.col, "publisher = ".len() + 1, "{toml:?}");
    let dup = report.find("E0204", "playbooks/ro/clienti-furiosi-b.md", 2);
    assert!(
        dup.message.contains("ro-clienti-furiosi")
            && dup.message.contains("playbooks/ro/clienti-furiosi-a.md"),
        "{dup:?}"
    );
    let lang = report.find("E0105", "playbooks/da/04-ukendt-sprog.md", 4);
    assert!(lang.message.contains("`de`"), "{lang:?}");

    // The valid files, including the BOM/CRLF one and the deeply nested one, are silent.
    for path in [
        "playbooks/da/18-bom-crlf.md",
        "playbooks/da/19-dybe-lister.md",
        "playbooks/fa/moshtari-asabani.md",
        "playbooks/ro/clienti-furiosi-a.md",
    ] {
        assert!(
            report.for_path(path).is_empty(),
            "{path} should have no diagnostics:\n{}",
            report.listing()
        );
    }

    // The human format prints the same diagnostics as `path:line:col: error[CODE]: message`.
    let human = check(&tree, &[]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    for d in &report.diagnostics {
        assert!(
            human.stdout.contains(&d.human_line()),
            "human output lacks `{}`:\n{}",
            d.human_line(),
            human.stdout
        );
    }
    assert!(
        human.stdout.contains(
            "playbooks/da/08-ukendt-situation.md:14:1: error[E0301]: unknown situation `refund-demnad`\n  = help: did you mean `refund-demand`?\n"
        ),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("playbooks/da/14-tom.md:1:1: error[E0003]: the file is empty\n"),
        "{}",
        human.stdout
    );
    let diagnostic_line = predicate::str::is_match(
        r"^playbooks/[a-z]{2}/[^:]+\.md:[0-9]+:[0-9]+: (error|warning)\[[EW][0-9]{4}\]: \S.*$",
    )
    .unwrap();
    let help_line = predicate::str::is_match(r"^  = help: \S.*$").unwrap();
    let toml_line = predicate::str::is_match(
        r"^playbooks/situations\.toml:[0-9]+:[0-9]+: warning\[W[0-9]{4}\]: \S.*$",
    )
    .unwrap();
    let mut printed = 0;
    for line in human.stdout.lines() {
        assert!(
            diagnostic_line.eval(line) || help_line.eval(line) || toml_line.eval(line),
            "unexpected line in human output: {line:?}"
        );
        if !help_line.eval(line) {
            printed += 1;
        }
    }
    assert_eq!(printed, report.diagnostics.len());
    assert!(
        human
            .stderr
            .contains(&format!("{} error(s)", report.errors)),
        "{}",
        human.stderr
    );
}

/// The E0204 line should be the `id = ...` line of the duplicate, wherever it is.
#[test]
fn duplicate_playbook_id_points_at_the_id_line() {
    let tree = Tree::clean();
    let copy = DA_CLEAN.replace(
        "+++\nid = \"da-vrede-klienter\"\ntitle = \"Sådan håndterer du vrede klienter\"\n",
        "+++\ntitle = \"Sådan håndterer du vrede klienter (kopi)\"\nid = \"da-vrede-klienter\"\n",
    );
    assert_eq!(line_of(&copy, "id = \"da-vrede-klienter\""), 3);
    // `zz-...` sorts after `vrede-klienter.md`, so the copy is the duplicate.
    tree.write("playbooks/da/zz-vrede-klienter-kopi.md", copy);
    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 1);
    report.find("E0204", "playbooks/da/zz-vrede-klienter-kopi.md", 3);
    assert_eq!(report.errors, 1, "{}", report.listing());
}

// ---------------------------------------------------------------------------------------------
// 3. Warnings.
// ---------------------------------------------------------------------------------------------

#[test]
fn warnings_fail_only_with_strict() {
    let tree = Tree::clean();
    // The Thai playbook no longer covers `manager-request`.
    tree.write(
        "playbooks/th/unhappy-customers.md",
        TH_CLEAN.replace(
            "**Situations:** refund-demand, manager-request",
            "**Situations:** refund-demand",
        ),
    );

    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 0, "warnings alone do not fail:\n{}", report.listing());
    assert_eq!(report.errors, 0, "{}", report.listing());
    assert_eq!(report.warnings, 1, "{}", report.listing());
    let w = report.find(
        "W0601",
        "playbooks/situations.toml",
        situation_line(TAXONOMY, "manager-request"),
    );
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.message.contains("manager-request") && w.message.contains("(th)"),
        "{w:?}"
    );

    let (code, report) = check_json(&tree, &["--strict"]);
    assert_eq!(code, 1, "--strict fails on warnings:\n{}", report.listing());
    assert_eq!((report.errors, report.warnings), (0, 1));

    let human = check(&tree, &["--strict"]);
    assert_eq!(human.code, 1);
    assert!(
        human
            .stdout
            .contains(&format!(
                "playbooks/situations.toml:{}:1: warning[W0601]: headline situation `manager-request` has no step in Thai (th)\n",
                situation_line(TAXONOMY, "manager-request")
            )),
        "{}",
        human.stdout
    );
}

#[test]
fn few_synonyms_for_a_headline_situation_is_a_warning() {
    let tree = Tree::clean();
    let taxonomy = TAXONOMY.replace(
        "da = [\"refusion\", \"pengene tilbage\", \"tilbagebetaling\", \"kompensation\", \"erstatning\", \"vil have pengene\"]",
        "da = [\"refusion\", \"pengene tilbage\"]",
    );
    assert_ne!(taxonomy, TAXONOMY);
    tree.write("playbooks/situations.toml", &taxonomy);
    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 0, "{}", report.listing());
    report.find(
        "W0508",
        "playbooks/situations.toml",
        situation_line(&taxonomy, "refund-demand"),
    );
    let (code, _) = check_json(&tree, &["--strict"]);
    assert_eq!(code, 1);
}

// ---------------------------------------------------------------------------------------------
// 4. A broken situations.toml.
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_situations_toml_is_reported_with_its_line() {
    let tree = Tree::clean();
    let taxonomy = TAXONOMY.replacen("headline = true", "headline = yes", 2);
    let taxonomy = taxonomy.replacen("headline = yes", "headline = true", 1);
    let bad_line = line_of(&taxonomy, "headline = yes");
    assert_eq!(bad_line, situation_line(&taxonomy, "refund-demand") + 4);
    tree.write("playbooks/situations.toml", &taxonomy);
    // A broken playbook is still checked.
    tree.write(
        "playbooks/da/uden-gloss.md",
        format!(
            "{}\n## Trin 1. Lyt {{#lyt}}\n\n**Situations:** angry-customer\n\nLyt.\n",
            da_front("da-uden-gloss")
        ),
    );

    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 1, "{}", report.listing());
    let d = report.find("E0501", "playbooks/situations.toml", bad_line);
    assert_eq!(d.col, "headline = ".len() + 1, "{d:?}");
    report.find("E0304", "playbooks/da/uden-gloss.md", 10);
    assert_eq!(report.errors, 2, "{}", report.listing());
}

#[test]
fn situation_without_a_label_is_reported() {
    let tree = Tree::clean();
    let taxonomy = TAXONOMY.replace("th = \"ขอคุยกับผู้จัดการ\"\n", "");
    assert_ne!(taxonomy, TAXONOMY);
    tree.write("playbooks/situations.toml", &taxonomy);

    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 1, "{}", report.listing());
    let d = report.find(
        "E0505",
        "playbooks/situations.toml",
        situation_line(&taxonomy, "manager-request"),
    );
    assert!(
        d.message.contains("manager-request") && d.message.contains("th label"),
        "{d:?}"
    );
    assert_eq!(report.errors, 1, "{}", report.listing());
}

#[test]
fn missing_situations_toml_is_an_error() {
    let tree = Tree::clean();
    tree.remove("playbooks/situations.toml");
    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 1, "{}", report.listing());
    report.find("E0500", "playbooks/situations.toml", 1);
}

// ---------------------------------------------------------------------------------------------
// 5. A wrong --root.
// ---------------------------------------------------------------------------------------------

#[test]
fn root_without_playbooks_folder_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "not a playbook repository\n").unwrap();
    let root = dir.path().to_str().unwrap();

    for args in [
        vec!["--root", root, "check"],
        vec!["--root", root, "check", "--format", "json"],
    ] {
        let run = playbook(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "nothing on stdout");
        assert!(
            run.stderr.contains(root) && run.stderr.contains("has no `playbooks/` folder"),
            "stderr names the folder and what is missing: {}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("help: pass the folder that contains `playbooks/`"),
            "stderr says what to do: {}",
            run.stderr
        );
    }

    // A folder that does not exist at all.
    let missing = dir.path().join("no-such-folder");
    let missing = missing.to_str().unwrap();
    let run = playbook(dir.path(), &["--root", missing, "check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(missing), "{}", run.stderr);

    // Through PLAYBOOK_ROOT too.
    let output = Command::cargo_bin("playbook")
        .unwrap()
        .current_dir(dir.path())
        .env("PLAYBOOK_ROOT", root)
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no `playbooks/` folder"));
}

#[test]
fn no_root_found_above_the_working_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    if dir.path().ancestors().any(|a| a.join("playbooks").is_dir()) {
        eprintln!("skipped: a playbooks/ folder exists above {:?}", dir.path());
        return;
    }
    let run = playbook(dir.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no `playbooks/` folder found") && run.stderr.contains("--root"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Links and permissions (unix).
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_and_the_rest_is_still_checked() {
    let tree = Tree::clean();
    // `playbooks/da/loop` points back at `playbooks/`, which contains it.
    std::os::unix::fs::symlink("..", tree.root().join("playbooks/da/loop")).unwrap();
    // And a broken playbook after it, in path order.
    tree.write(
        "playbooks/ro/fara-gloss.md",
        "+++\nid = \"ro-fara-gloss\"\ntitle = \"Clienți\"\nlang = \"ro\"\n\n[source]\ntitle = \"Clienți\"\n+++\n\n## Ascultați {#ascultati}\n\n**Situations:** angry-customer\n\nAscultați clientul.\n",
    );

    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 1, "{}", report.listing());
    let d = report.find("E0006", "playbooks/da/loop", 1);
    assert_eq!(d.severity, Severity::Error);
    report.find("E0304", "playbooks/ro/fara-gloss.md", 10);
    assert_eq!(report.errors, 2, "{}", report.listing());
    assert_eq!(
        report.files, 5,
        "the four clean playbooks and the broken one"
    );
    assert_eq!(report.warnings, 0, "{}", report.listing());
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported_and_the_rest_is_still_checked() {
    use std::os::unix::fs::PermissionsExt;

    let tree = Tree::clean();
    let rel = "playbooks/da/laast.md";
    tree.write(rel, DA_CLEAN.replace("da-vrede-klienter", "da-laast"));
    let path = tree.root().join(rel);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        eprintln!("skipped: this user can read a chmod 000 file (running as root?)");
        return;
    }
    tree.write(
        "playbooks/th/no-gloss.md",
        "+++\nid = \"th-no-gloss\"\ntitle = \"t\"\nlang = \"th\"\n\n[source]\ntitle = \"t\"\n+++\n\n## ฟัง {#listen}\n\n**Situations:** angry-customer\n\nฟังลูกค้า\n",
    );

    let (code, report) = check_json(&tree, &[]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(code, 1, "{}", report.listing());
    let d = report.find("E0001", rel, 1);
    assert!(d.message.starts_with("cannot read"), "{d:?}");
    report.find("E0304", "playbooks/th/no-gloss.md", 10);
    assert_eq!(report.errors, 2, "{}", report.listing());
}

#[cfg(unix)]
#[test]
fn unreadable_folder_is_reported_and_the_rest_is_still_checked() {
    use std::os::unix::fs::PermissionsExt;

    let tree = Tree::clean();
    tree.write(
        "playbooks/fa/extra/more.md",
        FA_CLEAN.replace("fa-moshtari-asabani", "fa-more"),
    );
    let dir = tree.root().join("playbooks/fa/extra");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&dir).is_ok() {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: this user can list a chmod 000 folder (running as root?)");
        return;
    }
    let (code, report) = check_json(&tree, &[]);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 1, "{}", report.listing());
    report.find("E0001", "playbooks/fa/extra", 1);
    assert_eq!(report.errors, 1, "{}", report.listing());
    assert_eq!(report.files, 4);
}

#[test]
fn huge_file_message_gives_the_real_size() {
    let tree = Tree::clean();
    let mut huge = da_front("da-kaempe").into_bytes();
    huge.resize(3 * 1024 * 1024, b'x');
    tree.write("playbooks/da/kaempe.md", huge);
    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 1);
    let d = report.find("E0005", "playbooks/da/kaempe.md", 1);
    assert!(d.message.contains("3.0 MB"), "{d:?}");
}

#[test]
fn invalid_utf8_column_does_not_count_the_byte_order_mark() {
    let tree = Tree::clean();
    let mut bytes = "\u{feff}+++ Tr".as_bytes().to_vec();
    bytes.push(0xE5);
    bytes.extend_from_slice(b"d\n");
    tree.write("playbooks/da/bom-latin1.md", bytes);
    let (_, report) = check_json(&tree, &[]);
    let d = report.find("E0002", "playbooks/da/bom-latin1.md", 1);
    assert_eq!(d.col, "+++ Tr".len() + 1, "{d:?}");
}

/// `[[situation]]  # comment` is a valid TOML header; diagnostics about that situation and
/// the ones after it must still point at their own header.
#[test]
fn situation_lines_survive_a_comment_on_the_header() {
    let tree = Tree::clean();
    let taxonomy = TAXONOMY
        .replace(
            "[[situation]]\nid = \"abusive-caller\"",
            "[[situation]]  # the calls agents fear most\nid = \"abusive-caller\"",
        )
        .replace("th = \"ขอคุยกับผู้จัดการ\"\n", "");
    tree.write("playbooks/situations.toml", &taxonomy);
    // Thai no longer covers `abusive-caller`: W0601 on that situation's header.
    tree.write(
        "playbooks/th/unhappy-customers.md",
        TH_CLEAN.replace(
            "**Situations:** abusive-caller, angry-customer",
            "**Situations:** angry-customer",
        ),
    );
    let abusive = line_of(&taxonomy, "[[situation]]  # the calls");
    let manager = line_of(&taxonomy, "id = \"manager-request\"") - 1;

    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 1, "{}", report.listing());
    report.find("E0505", "playbooks/situations.toml", manager);
    report.find("W0601", "playbooks/situations.toml", abusive);
}

/// Two file links pointing at each other are a link loop too.
#[cfg(unix)]
#[test]
fn file_link_cycle_is_reported_as_a_link_loop() {
    let tree = Tree::clean();
    let da = tree.root().join("playbooks/da");
    std::os::unix::fs::symlink("b.md", da.join("a.md")).unwrap();
    std::os::unix::fs::symlink("a.md", da.join("b.md")).unwrap();
    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 1, "{}", report.listing());
    report.find("E0006", "playbooks/da/a.md", 1);
    report.find("E0006", "playbooks/da/b.md", 1);
    assert_eq!(report.errors, 2, "{}", report.listing());
}

/// What a search never reads is not dropped without a word: hidden playbooks, READMEs and
/// Markdown link reference definitions are warnings (W0010) at their `file:line`.
#[test]
fn what_is_never_read_is_a_warning() {
    let tree = Tree::clean();
    let playbook = format!(
        "{}\nSee [the source][src].\n\n[src]: https://example.com/article \"Source\"\n{}",
        da_front("da-hidden"),
        da_step("Trin 1. Lyt", "listen")
    );
    tree.write("playbooks/da/.hidden.md", &playbook);
    tree.write("playbooks/da/README.md", "# About these playbooks\n");
    tree.write("playbooks/README.md", "# Playbooks\n");
    tree.write(
        "playbooks/da/linked.md",
        playbook.replace("da-hidden", "da-linked"),
    );
    let (code, report) = check_json(&tree, &[]);
    assert_eq!(code, 0, "{}", report.listing());
    report.find("W0010", "playbooks/da/.hidden.md", 1);
    report.find("W0010", "playbooks/da/README.md", 1);
    report.find("W0010", "playbooks/README.md", 1);
    let definition = line_of(&playbook, "[src]: https://example.com");
    let d = report.find("W0010", "playbooks/da/linked.md", definition);
    assert!(d.message.contains("link reference definition"), "{d:?}");
    assert_eq!(report.warnings, 4, "{}", report.listing());
    // A warning only: `--strict` fails on it.
    let (code, _) = check_json(&tree, &["--strict"]);
    assert_eq!(code, 1);
}
