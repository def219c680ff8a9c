"""Domain look-alikes on realistic dotted names (dotted_names.py): the default TLD set (linkify)
refuses what a linkifier turns into a link, the strict one (all) every root-zone TLD. Run as a
script, it prints the refusal rates the README quotes."""

import collections

import dotted_names
from conftest import probe


def refusals(tlds):
    verdicts = probe(dotted_names.names(), {"USERNAMES_DOMAIN_TLDS": tlds})
    return {n for n, v in verdicts.items() if v.get("code") == "looks_like_domain"}


def test_the_default_refuses_a_subset_of_the_strict_setting():
    default, strict = refusals("linkify"), refusals("all")
    assert default < strict
    # What the default lets through is only new generic TLDs: every legacy or two-letter one
    # that the strict setting refuses is refused by default as well.
    for name in strict - default:
        assert len(name.rsplit(".", 1)[1]) > 2, name
    for name in ("kate.love", "sam.live", "bob.dev", "alex.design", "john.smith"):
        assert name not in default


def test_addresses_are_refused_by_default():
    verdicts = probe(["paypal.com", "shop.de", "jane.info", "bob.co", "пример.рф", "ivan.ru"])
    assert {v.get("code") for v in verdicts.values()} == {"looks_like_domain"}


if __name__ == "__main__":
    total = len(dotted_names.names())
    for tlds in ("all", "linkify"):
        refused = refusals(tlds)
        by_tld = collections.Counter(n.rsplit(".", 1)[1] for n in refused)
        print(f"USERNAMES_DOMAIN_TLDS={tlds}: {len(refused)} of {total} refused "
              f"({100 * len(refused) / total:.1f} %); TLDs: {' '.join(sorted(by_tld))}")
