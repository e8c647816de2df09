"""The client secrets in `.recap/clients/<slug>/`: content key, keyring, passphrases, strength."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from generator.protection import keys, passwords
from generator.protection.blobs import SiteKeys
from generator.state import DamagedState, State

STRONG = "velvet tundra orchard pivot"


@pytest.fixture
def state(tmp_path) -> State:
    return State(tmp_path / ".recap")


def _modes(folder):
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}


def test_content_key_is_created_once_and_kept(state):
    first = keys.content_key(state, "ada")
    assert len(first) == 32
    assert keys.content_key(state, "ada") == first
    assert keys.content_key(state, "ben") != first
    assert _modes(state.client_dir("ada")) == {"content-key": 0o600}


def test_generated_passphrase_is_five_typeable_words_of_55_bits():
    words = keys.generate_passphrase().split("-")
    assert len(words) == 5
    assert all(w.isalpha() and w.islower() and 3 <= len(w) <= 8 for w in words)
    assert keys.estimate_bits("-".join(words)) == 55
    assert len({keys.generate_passphrase() for _ in range(20)}) == 20


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "too short: 7 characters, at least 12"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("abcdefghijklmnop", "too easy to guess"),
        ("password123456", "too easy to guess"),
        ("qwertyuiop12", "too easy to guess"),
        ("ability able about above", "too easy to guess"),
        ("Ability-ABLE about Above", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    with pytest.raises(keys.WeakPasswordError, match=reason):
        keys.check_strength(password)


def test_a_short_password_is_refused_with_the_way_to_a_generated_one():
    with pytest.raises(keys.WeakPasswordError) as refused:
        keys.check_strength("password123")
    assert str(refused.value) == (
        "password too short: 11 characters, at least 12; or let Recap Journal make one of 5 "
        "everyday words, strong and easy to type: `recap client password SLUG` without --type"
    )


@pytest.mark.parametrize(
    "password", [STRONG, "k8Jq2mZx9Lp4", "Tr0ub4dor&3-horse", "ability able about above acorn"]
)
def test_reasonable_passwords_pass(password):
    keys.check_strength(password)


def test_set_password_stores_a_wrapped_key_never_the_password(state):
    password = keys.set_password(state, "ada", iterations=600_000)
    folder = state.client_dir("ada")
    assert _modes(folder) == {"content-key": 0o600, "site-id": 0o600, "keyring.json": 0o600}
    for path in folder.iterdir():
        assert password.encode() not in path.read_bytes()
    secrets = keys.load_secrets(state, "ada", {})
    assert secrets.site_id == state.site_id("ada")
    assert secrets.content_key == keys.content_key(state, "ada")
    [entry] = secrets.keyring
    assert entry.iterations == 600_000
    assert keys.unwrap_key(entry, password, secrets.site_id) == secrets.content_key
    assert keys.unwrap_key(entry, "not the password at all", secrets.site_id) is None
    assert secrets.content_key.hex() not in repr(secrets)
    assert repr(secrets.content_key) not in repr(secrets)


def test_the_published_keyring_has_no_label_no_key_id_and_no_kek(state):
    keys.set_password(state, "ada", STRONG)
    secrets = keys.load_secrets(state, "ada", {})
    public = secrets.public_keyring()
    assert set(public) == {"format", "site", "check", "entries"}
    assert set(public["entries"][0]) == {"salt", "iterations", "wrapped", "fold"}
    assert public["entries"][0]["fold"] is True
    assert public["check"] == SiteKeys.derive(secrets.content_key, secrets.site_id).key_check()


def test_a_typed_weak_password_is_refused_before_anything_is_stored(state):
    with pytest.raises(keys.WeakPasswordError):
        keys.set_password(state, "ada", "hunter2")
    assert not keys.has_password(state, "ada", {})


@pytest.mark.parametrize("iterations", [1, 599_999, 10_000_001])
def test_iterations_outside_the_range_the_browser_accepts_are_refused(state, iterations):
    with pytest.raises(keys.RecapError, match="expected 600000 to 10000000 iterations"):
        keys.set_password(state, "ada", STRONG, iterations=iterations)
    with pytest.raises(keys.RecapError, match="expected 600000 to 10000000 iterations"):
        keys.load_secrets(state, "ada", {"RECAP_PASSWORD_ADA": STRONG}, iterations=iterations)


def test_a_second_password_keeps_the_key_and_has_a_salt_of_its_own(state):
    keys.set_password(state, "ada", STRONG)
    key = keys.content_key(state, "ada")
    coach = keys.add_password(state, "ada", label="coach")
    secrets = keys.load_secrets(state, "ada", {})
    assert secrets.content_key == key  # adding revokes nothing: no re-encryption
    assert [e.label for e in secrets.keyring] == ["client", "coach"]
    assert secrets.keyring[0].salt != secrets.keyring[1].salt
    for entry, password in zip(secrets.keyring, [STRONG, coach], strict=True):
        assert keys.unwrap_key(entry, password, secrets.site_id) == secrets.content_key
    assert keys.password_labels(state, "ada") == ["client", "coach"]


def test_removing_a_password_makes_a_new_key_and_keeps_the_others(state):
    keys.set_password(state, "ada", STRONG)
    coach = keys.add_password(state, "ada", label="coach")
    old = keys.load_secrets(state, "ada", {})
    keys.remove_password(state, "ada", "coach")
    new = keys.load_secrets(state, "ada", {})
    assert new.content_key != old.content_key
    assert new.site_id == old.site_id
    assert keys.password_labels(state, "ada") == ["client"]
    [entry] = new.keyring
    assert keys.unwrap_key(entry, STRONG, new.site_id) == new.content_key
    # The removed password opens neither the new keyring nor, through the old one, the new K.
    assert keys.unwrap_key(entry, coach, new.site_id) is None
    assert all(keys.unwrap_key(e, coach, old.site_id) != new.content_key for e in old.keyring)
    assert new.public_keyring()["check"] != old.public_keyring()["check"]
    with pytest.raises(keys.RecapError, match="no password labelled 'coach'"):
        keys.remove_password(state, "ada", "coach")


def test_changing_the_password_makes_a_new_content_key(state):
    keys.set_password(state, "ada", STRONG)
    before = keys.load_secrets(state, "ada", {})
    new = keys.set_password(state, "ada")
    after = keys.load_secrets(state, "ada", {})
    assert after.content_key != before.content_key
    assert after.site_id == before.site_id
    [entry] = after.keyring
    assert keys.unwrap_key(entry, STRONG, after.site_id) is None
    assert keys.unwrap_key(entry, new, after.site_id) == after.content_key
    # The old keyring with the old password gives the old key only: nothing new opens.
    assert keys.unwrap_key(before.keyring[0], STRONG, before.site_id) == before.content_key


def test_replacing_the_coach_password_revokes_it_and_rewraps_the_client(state):
    keys.set_password(state, "ada", STRONG)
    keys.add_password(state, "ada", label="coach")
    key = keys.content_key(state, "ada")
    coach = keys.add_password(state, "ada", label="coach")
    secrets = keys.load_secrets(state, "ada", {})
    assert secrets.content_key != key
    client, new_coach = secrets.keyring
    assert keys.unwrap_key(client, STRONG, secrets.site_id) == secrets.content_key
    assert keys.unwrap_key(new_coach, coach, secrets.site_id) == secrets.content_key


def forget_keks(state: State, slug: str) -> None:
    """Make the stored keyring look as an older version wrote it: no KEK kept per password."""
    path = state.client_dir(slug) / "keyring.json"
    data = json.loads(path.read_text())
    for entry in data["entries"]:
        del entry["kek"]
    path.write_text(json.dumps(data))


def test_a_password_set_before_revocation_existed_must_be_typed_or_set_again(state):
    keys.set_password(state, "ada", STRONG)
    keys.add_password(state, "ada", label="coach")
    forget_keks(state, "ada")
    with pytest.raises(
        keys.BlindPasswordsError, match=r"the password\(s\) coach were set before revocation"
    ):
        keys.remove_password(state, "ada", "client")
    assert keys.password_labels(state, "ada") == ["client", "coach"]
    keys.set_password(state, "ada", STRONG)  # replacing them all works
    assert keys.password_labels(state, "ada") == ["client"]


def test_a_password_from_before_revocation_typed_once_can_be_kept_through_a_revocation(state):
    keys.set_password(state, "ada", STRONG)
    coach = keys.add_password(state, "ada", label="coach")
    forget_keks(state, "ada")
    before = keys.load_secrets(state, "ada", {})
    assert not keys.adopt_password(state, "ada", "coach", STRONG)  # the client's, not coach's
    assert not keys.adopt_password(state, "ada", "nobody", coach)
    assert keys.adopt_password(state, "ada", "coach", coach.upper())  # folded, as it was set
    # Nothing published changes: only .recap/ learns the coach password's KEK.
    assert keys.load_secrets(state, "ada", {}).public_keyring() == before.public_keyring()
    keys.remove_password(state, "ada", "client")
    after = keys.load_secrets(state, "ada", {})
    assert after.content_key != before.content_key
    [kept] = after.keyring
    assert kept.label == "coach" and kept.salt == before.keyring[1].salt
    assert keys.unwrap_key(kept, coach, after.site_id) == after.content_key
    assert keys.unwrap_key(kept, STRONG, after.site_id) is None


def test_no_password_is_a_clear_error(state):
    assert not keys.has_password(state, "jane-doe", {})
    message = (
        "client jane-doe has no password: run `recap client password jane-doe` "
        "or set RECAP_PASSWORD_JANE_DOE"
    )
    with pytest.raises(keys.NoPasswordError) as caught:
        keys.load_secrets(state, "jane-doe", {})
    assert str(caught.value) == message
    with pytest.raises(keys.NoPasswordError):
        keys.require_password(state, "jane-doe", {})
    assert issubclass(keys.NoPasswordError, keys.RecapError)


def test_password_env_names_the_variable():
    assert keys.password_env("jane-doe") == "RECAP_PASSWORD_JANE_DOE"
    assert keys.password_env("ada") == "RECAP_PASSWORD_ADA"


def test_env_password_alone_builds_and_its_entry_is_cached(state):
    environ = {"RECAP_PASSWORD_JANE_DOE": STRONG}
    keys.require_password(state, "jane-doe", environ)
    first = keys.load_secrets(state, "jane-doe", environ)
    assert keys.unwrap_key(first.keyring[0], STRONG, first.site_id) == first.content_key
    folder = state.client_dir("jane-doe")
    assert _modes(folder) == {"content-key": 0o600, "site-id": 0o600, "env-keyring.json": 0o600}
    assert STRONG.encode() not in (folder / "env-keyring.json").read_bytes()
    # Same password: the same entry (no new PBKDF2, the published keyring does not change).
    assert keys.load_secrets(state, "jane-doe", environ) == first
    changed = keys.load_secrets(state, "jane-doe", {"RECAP_PASSWORD_JANE_DOE": STRONG + " x"})
    assert changed.keyring != first.keyring
    assert changed.content_key == first.content_key


@pytest.mark.parametrize("weak", ["abc", "password1234", "aaaaaaaaaaaaaaaa"])
def test_a_weak_env_password_is_refused_on_every_path(state, weak):
    environ = {"RECAP_PASSWORD_ADA": weak}
    with pytest.raises(keys.WeakPasswordError, match=r"^RECAP_PASSWORD_ADA: password too"):
        keys.require_password(state, "ada", environ)
    with pytest.raises(keys.WeakPasswordError, match=r"^RECAP_PASSWORD_ADA: password too"):
        keys.load_secrets(state, "ada", environ)
    assert not (state.client_dir("ada") / "env-keyring.json").exists()


def test_env_password_overrides_the_stored_ones(state):
    keys.set_password(state, "ada", STRONG)
    secrets = keys.load_secrets(
        state, "ada", {"RECAP_PASSWORD_ADA": "another-long-passphrase-for-ada"}
    )
    [entry] = secrets.keyring
    assert entry.label == "env"
    assert keys.unwrap_key(entry, STRONG, secrets.site_id) is None


def test_a_replaced_content_key_is_reported_not_silently_used(state):
    keys.set_password(state, "ada", STRONG)
    (state.client_dir("ada") / "content-key").write_text("00" * 32 + "\n")
    with pytest.raises(keys.SecretsError, match="made for another content key"):
        keys.load_secrets(state, "ada", {})


def test_a_damaged_keyring_is_reported(state):
    keys.set_password(state, "ada", STRONG)
    (state.client_dir("ada") / "keyring.json").write_text(json.dumps({"entries": [{}]}))
    with pytest.raises(DamagedState, match=r"keyring\.json is damaged"):
        keys.load_secrets(state, "ada", {})


def test_passwords_are_normalised_like_the_browser_does(state):
    composed, decomposed = "caf\u00e9-orchard-pivot-tundra", "cafe\u0301-orchard-pivot-tundra"
    keys.set_password(state, "ada", composed)
    [entry] = keys.load_secrets(state, "ada", {}).keyring
    site = state.site_id("ada")
    assert keys.unwrap_key(entry, decomposed, site) == keys.content_key(state, "ada")
    assert keys.unwrap_key(entry, composed + " ", site) == keys.content_key(state, "ada")


WORDLIST = Path(keys.__file__).with_name("wordlist.txt")
UNPLEASANT = {
    "gun", "danger", "weapon", "kill", "blood", "bomb", "attack", "war", "warfare", "knife",
    "prison", "crime", "abuse", "addict", "disease", "virus", "fatal", "ugly", "stupid", "dumb",
    "sad", "grief", "hurt", "liar", "evil", "horror", "shoot", "rifle", "pistol", "bullet",
}  # fmt: skip


def test_the_word_list_is_2048_gentle_words_with_unique_first_four_letters():
    words = passwords._wordlist()
    assert len(set(words)) == 2048
    assert all(w.isalpha() and w.islower() and 3 <= len(w) <= 8 for w in words)
    assert len({w[:4] for w in words}) == 2048
    assert not UNPLEASANT & set(words)


@pytest.mark.parametrize(
    "typed",
    [
        "maple-river-candle-otter-plum",
        "maple river candle otter plum",
        "Maple River Candle Otter Plum",
        "  MAPLE  river\tcandle_otter—plum ",
        "maple--river - candle-otter-plum",
    ],
)
def test_spaces_dashes_and_capitals_are_the_same_password(state, typed):
    keys.set_password(state, "ada", "maple-river-candle-otter-plum")
    [entry] = keys.load_secrets(state, "ada", {}).keyring
    site = state.site_id("ada")
    assert keys.fold_password(typed) == "maple-river-candle-otter-plum"
    assert keys.unwrap_key(entry, typed, site) == keys.content_key(state, "ada")
    assert keys.unwrap_key(entry, "maple-river-candle-otter", site) is None
    assert keys.unwrap_key(entry, "mapleriver-candle-otter-plum", site) is None


def write_legacy_keyring(state: State, slug: str, typed: str) -> None:
    """A keyring.json as written before folding existed: no "fold", K wrapped under the
    password as typed (NFC, outer spaces removed)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, site = keys.content_key(state, slug), state.site_id(slug)
    entry = keys.wrap_key(key, "x", site, salt=b"s" * 16, iterations=600_000, label="client")
    kek = keys._kek(typed.strip(), entry.salt, entry.iterations)
    wrapped = AESGCM(kek).encrypt(entry.nonce, key, keys._wrap_aad(site))
    legacy = {**entry.to_json(), "wrapped": keys._b64(wrapped)}
    del legacy["fold"]
    (state.client_dir(slug) / "keyring.json").write_text(json.dumps({"entries": [legacy]}))


def test_an_entry_from_before_folding_still_opens_with_the_password_as_typed(state):
    write_legacy_keyring(state, "ada", "My Old Password 2024")
    key, site = keys.content_key(state, "ada"), state.site_id("ada")
    [loaded] = keys.load_secrets(state, "ada", {}).keyring
    assert loaded.folded is False
    assert loaded.public()["fold"] is False
    assert keys.unwrap_key(loaded, " My Old Password 2024 ", site) == key
    assert keys.unwrap_key(loaded, "my-old-password-2024", site) is None
