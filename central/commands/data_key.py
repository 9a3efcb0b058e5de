"""Seal the personal data at rest under a new data key (``kiosk-central data-key rotate``).

Run it on the server machine (it works on the database directly), ideally with the server
stopped. Steps: a new key is put first in ``data.key`` (old keys kept, so a crash half way loses
nothing), every sealed value is re-sealed in batches, then the old keys are dropped.
"""

from __future__ import annotations

import argparse
import os

from cryptography.fernet import Fernet
from sqlalchemy import select

from central.commands._common import add_db_options, default_data_dir, open_session
from central.errors import BackOfficeError
from central.models import SubmissionMaterial
from central.models_applications import Application, Rating, SupplementMaterial
from central.sealing import DATA_KEYS_ENV, DataKeys, key_file, load_or_create_data_keys, write_keys

# (table class, primary key column, sealed columns)
SEALED = (
    (Application, Application.submission_id, ("document_enc", "phone_tail_enc")),
    (SubmissionMaterial, SubmissionMaterial.id, ("data",)),
    (SupplementMaterial, SupplementMaterial.id, ("data_enc",)),
    (Rating, Rating.id, ("comment_enc",)),
)
BATCH = 200


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data-key", help="rotate the key that seals personal data")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    rotate = actions.add_parser(
        "rotate",
        help="re-seal every document, material and comment under a new key",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db_options(rotate)
    rotate.set_defaults(handler=rotate_keys)


def reseal_all(session: object, keys: DataKeys) -> int:
    """Re-seal every sealed value with ``keys``' newest key; returns how many."""
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    done = 0
    for model, primary, columns in SEALED:
        last = None
        while True:
            query = select(model).order_by(primary).limit(BATCH)
            if last is not None:
                query = query.where(primary > last)
            rows = session.scalars(query).all()
            if not rows:
                break
            for row in rows:
                for column in columns:
                    setattr(row, column, keys.reseal(getattr(row, column)))
                    done += 1
            last = getattr(rows[-1], primary.key)
            session.commit()
    return done


def rotate_keys(args: argparse.Namespace) -> int:
    if os.environ.get(DATA_KEYS_ENV):
        raise BackOfficeError(
            key="backoffice.data_keys",
            reason=f"the keys come from {DATA_KEYS_ENV}; put a new key first there, run this "
            "with the file instead, or unset it",
        )
    data = args.data or default_data_dir()
    old = load_or_create_data_keys(data)
    new_key = Fernet.generate_key()
    path = key_file(data)
    write_keys(path, [new_key, *old.keys])
    with open_session(args) as session:
        count = reseal_all(session, DataKeys([new_key, *old.keys]))
    write_keys(path, [new_key])
    print(f"re-sealed {count} values; {path} now holds only the new key (back it up)")
    return 0
