"""The synthetic province's ``report_claims.yaml``: what its Suixi-shaped county's report states.

Seed 000 §4.1 (Suixi) publishes: township staff pay at 99.16% of the county hospital's (2023);
village doctors' subsidy 66,000 yuan (2023) after 41,000 (2017), "average annual growth 17.20%"
(the compound rate of those figures is 8.26%: the claim the check must flag); savings "for 7
consecutive years since 2017"; premature mortality from major chronic diseases "declining
steadily". County ``C01`` is shaped like Suixi (:mod:`toolkit.data.synth_model`), so these are
its entries only; other counties state nothing (data.md, report_claims.yaml). A claim whose years
the province does not cover is left out.
"""

from __future__ import annotations

import yaml

#: (years the claim needs, entry) in the order the seed states them
SEED_000_CLAIMS = [
    (
        (2023,),
        {
            "text": "乡镇卫生院人员平均收入达县级医院的99.16%（2023年）",
            "indicator": "income_ratio",
            "kind": "value",
            "year": 2023,
            "stated": "99.16%",
        },
    ),
    (
        (2023,),
        {
            "text": "村医年均补助收入6.6万元（2023年）",
            "indicator": "village_doctor_subsidy_per_doctor",
            "kind": "value",
            "year": 2023,
            "stated": "6.6万",
        },
    ),
    (
        (2017, 2023),
        {
            "text": "村医补助收入由2017年的4.1万元增至6.6万元，年均增长17.20%",
            "indicator": "village_doctor_subsidy_per_doctor",
            "kind": "cagr",
            "start": 2017,
            "end": 2023,
            "stated": "17.20%",
        },
    ),
    (
        (2014, 2023),  # the 2017 budget averages the 3 years before it (seed 000 §3.1)
        {
            "text": "医保基金包干自2017年起连续7年结余",
            "indicator": "big_package_savings",
            "kind": "streak",
            "start": 2017,
            "end": 2023,
        },
    ),
    (
        (2017, 2023),
        {
            "text": "重大慢性病过早死亡率呈稳步下降趋势（2017–2023年）",
            "indicator": "premature_ncd_mortality",
            "kind": "trend",
            "start": 2017,
            "end": 2023,
            "stated": "稳步下降",
        },
    ),
]

HEADER = (
    "# Figures each county's own annual report states (data.md, report_claims.yaml); each county's\n"
    "# report checks only its own entries. Synthetic: seed 000 §4.1 (Suixi) for the Suixi-shaped C01.\n"
)


def report_claims_text(county_id: str, first_year: int, last_year: int) -> str:
    """The file's text (deterministic bytes) for a province covering ``first_year``–``last_year``."""
    entries = [e for years, e in SEED_000_CLAIMS if all(first_year <= y <= last_year for y in years)]
    if not entries:
        return HEADER + "{}\n"
    return HEADER + yaml.safe_dump({county_id: entries}, allow_unicode=True, sort_keys=False, width=200)
