"""Deterministic people, usernames, phone numbers, tax codes and company names."""

import random
from dataclasses import dataclass

from vanco.core.text import fold
from vanco.demo import words

_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
# Enough retries that a clash is only kept when the name space is genuinely crowded.
_NAME_ATTEMPTS = 25


@dataclass(frozen=True)
class Person:
    full_name: str
    username: str
    language: str = "vi"


def _weighted(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def vietnamese_username(full_name: str) -> str:
    """Given name, then the other initials, as in government mail: Nguyễn Văn Hùng -> hungnv."""
    parts = fold(full_name).split()
    return parts[-1] + "".join(part[0] for part in parts[:-1])


def tax_code_check_digit(first_nine: str) -> int | None:
    """The tenth digit of a Vietnamese tax code, or None when no digit can make it valid."""
    check = 10 - sum(int(d) * w for d, w in zip(first_nine, _TAX_WEIGHTS, strict=True)) % 11
    return None if check == 10 else check


class PeopleFactory:
    """Hands out names, usernames and identifiers that never repeat within one demo."""

    def __init__(self, rng: random.Random, taken_usernames=()):
        self.rng = rng
        self.usernames: set[str] = set(taken_usernames)
        self.full_names: set[str] = set()
        self.tax_codes: set[str] = set()
        self.companies: set[str] = set()

    def reserve(self, person: Person) -> None:
        self.usernames.add(person.username)
        self.full_names.add(person.full_name)

    def _unique_username(self, base: str) -> str:
        username, n = base, 1
        while username in self.usernames:
            n += 1
            username = f"{base}{n}"
        self.usernames.add(username)
        return username

    def _vietnamese_name(self) -> str:
        rng = self.rng
        surname = _weighted(rng, words.SURNAMES)
        if rng.random() < 0.55:
            middle = _weighted(rng, words.MALE_MIDDLE)
            given = rng.choice(words.MALE_GIVEN)
        else:
            middle = _weighted(rng, words.FEMALE_MIDDLE)
            if middle == "Thị" and rng.random() < 0.3:
                middle = f"Thị {rng.choice(words.FEMALE_SECOND_MIDDLE)}"
            given = rng.choice(words.FEMALE_GIVEN)
        if given in middle.split():
            return ""  # "Ngọc Ngọc" does not happen; the caller draws again.
        return f"{surname} {middle} {given}"

    def vietnamese(self) -> Person:
        name = ""
        for _ in range(_NAME_ATTEMPTS):
            name = self._vietnamese_name()
            if name and name not in self.full_names:
                break
        while not name:
            name = self._vietnamese_name()
        self.full_names.add(name)
        return Person(name, self._unique_username(vietnamese_username(name)))

    def chinese(self) -> Person | None:
        """A Chinese manager, or None once the short Chinese lists are used up."""
        for _ in range(_NAME_ATTEMPTS):
            surname, surname_latin = self.rng.choice(words.CHINESE_SURNAMES)
            given, given_latin = self.rng.choice(words.CHINESE_GIVEN)
            if surname + given not in self.full_names:
                self.full_names.add(surname + given)
                username = self._unique_username(f"{surname_latin}.{given_latin}")
                return Person(surname + given, username, "zh-hans")
        return None

    def foreign(self) -> Person | None:
        """A Korean or Japanese manager, each name at most once; None when all are used."""
        unused = [pair for pair in words.FOREIGN_NAMES if pair[0] not in self.full_names]
        if not unused:
            return None
        name, base = self.rng.choice(unused)
        self.full_names.add(name)
        return Person(name, self._unique_username(base), "en")

    def mobile(self) -> str:
        digits = f"{self.rng.randrange(10_000_000):07d}"
        return f"{self.rng.choice(words.MOBILE_PREFIXES)} {digits[:3]} {digits[3:]}"

    def landline(self) -> str:
        return f"{words.AREA_CODE} 3{self.rng.randrange(100_000):05d}{self.rng.randrange(10)}"

    def tax_code(self) -> str:
        while True:
            first_nine = words.TAX_CODE_PREFIX + f"{self.rng.randrange(10_000_000):07d}"
            check = tax_code_check_digit(first_nine)
            code = f"{first_nine}{check}"
            if check is not None and code not in self.tax_codes:
                self.tax_codes.add(code)
                return code

    def _company_name(self, industry_code: str, chinese: bool) -> str:
        form = _weighted(self.rng, words.COMPANY_FORMS)
        trade = self.rng.choice(words.COMPANY_TRADES[industry_code])
        if chinese:
            # Chinese-invested subsidiaries are limited companies suffixed "(Việt Nam)".
            brand = self.rng.choice(words.CHINESE_COMPANY_BRANDS)
            return f"Công ty TNHH {trade} {brand} (Việt Nam)"
        return f"{form} {trade} {self.rng.choice(words.COMPANY_BRANDS)}"

    def company(self, industry_code: str, chinese: bool = False) -> str:
        for _ in range(_NAME_ATTEMPTS):
            name = self._company_name(industry_code, chinese)
            if name not in self.companies:
                break
        self.companies.add(name)
        return name
