"""Write notebooks/00_start_here.ipynb from this script (sources only; `make execute` runs it).

Kept in the repository so the start page can be regenerated after an edit of its prose.
"""
from __future__ import annotations

from pathlib import Path

import nbformat as nbf

md = nbf.v4.new_markdown_cell
code = nbf.v4.new_code_cell

cells = [
md("""# 00 · Start here: one trial, seven notebooks

*A teaching collection built around one phase 2 trial of everolimus in relapsed or refractory
chronic lymphocytic leukemia (CLL) and its small lymphocytic lymphoma variant (SLL).*

> **For teaching only.** The calculators and criteria engines in this collection show how published
> rules work; they are not for clinical decisions."""),
md("""## Overview

**Learning objectives.** After this notebook you can

- state the trial's question, design, population and main results, and cite the paper;
- open, run and re-run the notebooks in JupyterLab (laptop or Binder) and use their interactive explorers;
- explain what the reconstructed cohort is, what it reproduces, and what it cannot tell you.

**Time:** about 15 minutes. **Prerequisites:** none. Reading the paper's abstract first helps:
Zent CS, LaPlant BR, Johnston PB, et al. *Cancer* 2010;116:2201-7,
[doi:10.1002/cncr.25005](https://doi.org/10.1002/cncr.25005)."""),
md("## Imports"),
code("""import pandas as pd

import helpers
from helpers import data, fidelity
from helpers.exercises import check

pd.set_option("display.max_colwidth", 80)
print(f"helpers {helpers.__version__}; datasets read from {helpers.paths.datasets_dir().name}/")"""),
md("""## 1. The trial in one page

**Question.** Does inhibiting the mammalian target of rapamycin (mTOR) with oral everolimus shrink
recurrent or refractory CLL? The authors had a biological rationale (mTOR sits on signalling
pathways that CLL cells use to proliferate and to draw support from their stroma) but only
laboratory data and one small pilot trial.

**Design.** A single-arm phase 2 trial at the Mayo Clinic Cancer Center for indolent lymphoid
malignancies of several histologies, planned as a Simon two-stage design (notebook 01). This paper
reports only its **22 CLL/SLL patients**, enrolled January 2006 to July 2008.

**Treatment.** Everolimus 10 mg by mouth once daily; 28 days is a cycle; held and stepped down
(5 mg daily, every other day, every third day) after cytopenias or severe toxicity (notebook 02).

**Response assessment.** After cycles 2 and 6 (Methods), then every 3 cycles (Discussion): the NCI Working Group 1996
criteria for patients with a lymphocyte count above 5 x10^9/L, the 1999 International Workshop
lymphoma criteria for the SLL variant (notebook 03).

**Main results, as the paper prints them** (the table is read from `datasets/published_numbers.csv`,
our extraction of the paper's numbers; the cohort's own values come in section 4):"""),
code("""# NBVAL_CHECK_OUTPUT
table = fidelity.fidelity_table()  # every published number: as printed ("paper") and recomputed ("ours")
HEADLINE = ["n_patients", "n_sll", "pr_pct", "n_progressed", "n_died", "os_median", "pfs_median",
            "followup_alive_median", "mob_n", "mob_fold", "mob_node_decrease"]
for row in table.set_index("key").loc[HEADLINE].itertuples():
    print(f"{row.quantity:<70} {row.paper}")"""),
md("""**The surprise.** In 8 patients the blood lymphocyte count *rose* while the lymph nodes *shrank*.
The authors read it as CLL cells leaving the nodes for the blood ("mobilization"). A mobilized
patient with the CLL variant, assessed by the 1996 criteria, cannot be a responder, because a partial
response needs the lymphocyte count to fall by half; the mobilized patients with the SLL variant,
assessed by the 1999 lymphoma criteria that ignore the blood count, could be (and two were). Years later the same pattern became the signature of ibrutinib and
idelalisib and changed the response criteria (notebooks 03 and 04)."""),
md("""## 2. How to use this collection

- **Run a cell:** click it and press `Shift+Enter`. **Run everything:** *Run ▸ Run All Cells*.
  Every notebook runs top to bottom in seconds. If something looks stale, *Kernel ▸ Restart Kernel
  and Run All Cells*.
- **Explorers** (sliders, drop-down menus) need a running kernel: move a control and the table or
  figure below it updates. Beside each explorer sits a static figure at the default setting, for
  readers of the web version, where no kernel runs.
- **Exercises:** each notebook ends its sections with *Check your understanding*. Replace `None`
  with your answer and run the cell: `check(...)` tells you whether you are right, or gives a hint.
  A folded *Worked solution* follows each one.
- **Binder:** a course link opens the collection in JupyterLab in your browser. Binder sessions
  stop after about 10 idle minutes and do not keep your changes: download what you want to keep.
- **Where things are:** the lessons in `notebooks/`, the data in `datasets/`, the code the lessons
  call in `helpers/` (open any function with `helpers.design.binomial_ci??`)."""),
md("""## 3. Map of the collection

| # | notebook | the question it answers | minutes |
|---|---|---|---|
| 00 | [Start here](00_start_here.ipynb) | what is this trial, and how do I use the collection? | 15 |
| 01 | [Trial design](01_trial_design.ipynb) | how was the sample size chosen, and what can the response rate claim? | 45 |
| 02 | [Eligibility and treatment rules](02_eligibility.ipynb) | who could enter, and how much drug did they get? | 45 |
| 03 | [Response criteria](03_response_criteria.ipynb) | what counts as a response, under which rules? | 45 |
| 04 | [The mobilization finding](04_mobilization.ipynb) | what happened to the lymphocytes, and what does it mean? | 60 |
| 05 | [Survival analysis](05_survival.ipynb) | what do the medians, their intervals and "follow-up" mean? | 45 |
| 06 | [Toxicity](06_toxicity.ipynb) | how is Table 2 built, and why is grading cytopenias hard in CLL? | 45 |"""),
md("""## 4. How this cohort was reconstructed

> **Data notice.** The paper publishes summaries, never patient rows. The 22 patients in
> `datasets/` are a **reconstructed, synthetic cohort**: invented rows, built so that their
> summaries reproduce every number the paper prints that patient rows can reproduce. No real
> patient's data are included.

`datasets/published_numbers.csv` holds our own extraction of the paper's numbers, each with the
section it comes from and how the paper rounds it. `helpers.fidelity` recomputes every one of them
from the patient rows, as the paper defines it, and compares at the paper's printed precision:"""),
code("""# NBVAL_CHECK_OUTPUT
n_match = int(table["match"].sum())
print(f"{n_match} of {len(table)} published numbers reproduced from the synthetic rows at the paper's printed precision")"""),
code("""table[["source", "quantity", "paper", "ours", "match"]].style.hide(axis="index")"""),
md("""The patient rows themselves (first five; every value is synthetic):"""),
code("""data.load_patients().head()"""),
md("""**What you may conclude from these rows.** Anything the paper itself reports: the rows reproduce
its response rate, its survival medians and intervals, its toxicity table and its mobilization
numbers, so re-analyses of those (other criteria, other interval methods, landmark analyses) show
what the *published* data allow.

**What you may not conclude.** Anything about an individual patient, or any pattern the paper does
not report (a correlation between two variables, say, or the shape of a curve between published
points): where the paper is silent, the values are ours. `datasets/README.md` says, column by
column, which published number constrains it and which values are invented.

> **Pitfall.** A synthetic cohort that reproduces every published summary is still only one of
> many cohorts that would. Two re-analyses that agree on our rows need not agree on the real ones."""),
md("""### Reading the paper critically

Rebuilding the rows forces decisions wherever the paper strains or leaves room. Each decision is
recorded beside the number it concerns in `published_numbers.csv` (column `note`); these are the
ones worth discussing in class:"""),
code("""STRAINS = ["n_patients", "mob_alc_gt5_pct", "mob_node_decrease", "mob_max_day", "tx_months_median",
           "followup_alive_median", "marrow_day"]
for row in table.set_index("key").loc[STRAINS].itertuples():
    print(f"- {row.quantity} ({row.source}): {row.note}")"""),
md("""> **Reading the paper critically.** For each point above ask: is the paper inconsistent, or only
> terse? Would another reading change a conclusion? Most of these readings change no printed
> number; the choice of how to measure follow-up, by contrast, changes how you read the survival
> curves (notebook 05)."""),
md("""## Check your understanding

**Exercise 00.1.** How many patients form the denominator of the response rate? (Count them in the
data, and remember what the Methods say about who is evaluable.)"""),
code("""answer = None  # your answer here
check("00.1", answer)"""),
md("""<details><summary>Worked solution</summary>

`len(data.load_patients())`. The Methods call a patient evaluable if eligible and treated, and all
were: so the patients who went off study before any response assessment (best response `NE`) stay
in the denominator. They cannot be responders, but they count in the rate's denominator.
</details>"""),
md("""**Exercise 00.2.** The paper writes that mobilization occurred in "6 (66%) of the 9 patients" with a
lymphocyte count above 5 x10^9/L. What is 6/9 as a percentage to one decimal, and is 66% a rounded
or a truncated figure?"""),
code("""answer = None  # your answer here: the percentage to one decimal
check("00.2", answer)"""),
md("""<details><summary>Worked solution</summary>

6/9 = 66.7%, so the printed 66% is truncated (rounding gives 67%). `published_numbers.csv` records
a `rounding` rule for every number so that the fidelity check matches each number exactly as
printed, instead of loosening a tolerance.
</details>"""),
md("""**Exercise 00.3.** The collection counts time in days from registration and converts to months as
days / (365.25 / 12). A patient dies on day 320. How many months is that, to one decimal?"""),
code("""answer = None  # your answer here
check("00.3", answer)"""),
md("""<details><summary>Worked solution</summary>

320 / 30.4375 = 10.5 months (`helpers.data.to_months(320)`). A day earlier or later still prints
10.5; that is why a reconstructed event day is only pinned down to a window of about three days by
a number printed to one decimal.
</details>"""),
md("""## Key points

- One phase 2 trial, 22 CLL/SLL patients, everolimus 10 mg daily: 4 partial responses (18%), and an
  unplanned finding of lymphocyte mobilization in 8.
- The collection's cohort is synthetic: it reproduces every published number, and nothing more.
- Every number the notebooks print is computed from `datasets/` through `helpers/`; where ours and
  the paper's differ, the notebook says so.

## What's next

[01 · Trial design](01_trial_design.ipynb): how the trial's sample size was chosen, and what 4
responses in 22 patients can and cannot claim."""),
]

nb = nbf.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
out = Path(__file__).resolve().parents[1] / "notebooks" / "00_start_here.ipynb"
nbf.write(nb, out)
print(f"wrote {out}")
