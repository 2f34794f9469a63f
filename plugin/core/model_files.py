"""Trained weights in ``models/``: found by name through ``manifest.json``, checked against their
sha256, loaded on the CPU with ``weights_only``. One place for both kinds of network the engine
uses: the method's patch descriptor ("descriptor", ``network.py``) and the dense feature network
("features", ``feature_network.py``).

manifest.json: ``{"default": <descriptor>, "default_features": <features>, "models": {name:
{"file", "sha256", "card", "kind"}}}`` (an entry without "kind" is a descriptor).
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Optional, Tuple, Type

import torch

from .errors import RegistrationError

MODELS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "models")
MANIFEST = "manifest.json"
KINDS = {"descriptor": "default", "features": "default_features"}  # kind -> the manifest key of its default


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(models_dir: str = MODELS_DIR) -> dict:
    with open(os.path.join(models_dir, MANIFEST), encoding="utf-8") as handle:
        return json.load(handle)


def kind_of(entry: dict) -> str:
    return entry.get("kind", "descriptor")


def default_name(kind: str, models_dir: str = MODELS_DIR, manifest: Optional[dict] = None) -> str:
    """The manifest's default model of ``kind`` (``manifest``: already read, else read here)."""
    manifest = manifest if manifest is not None else read_manifest(models_dir)
    name = manifest.get(KINDS[kind])
    if name is None:
        raise RegistrationError("No {kind} model is installed (models/{manifest} names none).",
                                "Reinstall the plugin, or restore models/ from the project's repository.", kind=kind, manifest=MANIFEST)
    return name


def manifest_entry(name: str, kind: str = "descriptor", models_dir: str = MODELS_DIR, manifest: Optional[dict] = None) -> dict:
    """The manifest's entry for the model ``name`` of ``kind``, or a RegistrationError that names
    the installed ones (``manifest``: already read, else read here)."""
    manifest = manifest if manifest is not None else read_manifest(models_dir)
    entry = manifest["models"].get(name)
    if entry is None or kind_of(entry) != kind:
        names = [n for n, e in manifest["models"].items() if kind_of(e) == kind]
        raise RegistrationError("There is no {kind} model named '{name}'.", "Choose one of: {choices}.", kind=kind, name=name,
                                choices=", ".join(names))
    return entry


def load_checkpoint(name: Optional[str] = None, models_dir: str = MODELS_DIR, kind: str = "descriptor") -> Tuple[str, dict]:
    """(name, checkpoint) of a model of ``kind`` listed in the manifest (its default when
    ``name`` is None), read after checking its sha256."""
    manifest = read_manifest(models_dir)
    name = name or default_name(kind, models_dir, manifest)
    entry = manifest_entry(name, kind, models_dir, manifest)
    path = os.path.join(models_dir, entry["file"])
    if not os.path.exists(path) or sha256_of(path) != entry["sha256"]:
        raise RegistrationError(
            "The weights file of model '{name}' ({path}) is missing or damaged (checksum mismatch).",
            "Reinstall the plugin, or restore the file from the project's repository.", name=name, path=path,
        )
    return name, torch.load(path, map_location="cpu", weights_only=True)


def build_network(network_class: Type[torch.nn.Module], checkpoint: dict) -> torch.nn.Module:
    """The network a checkpoint describes (its config rebuilds it), weights loaded strictly, in eval mode."""
    network = network_class(**checkpoint["config"]["network"])
    network.load_state_dict(checkpoint["state_dict"], strict=True)
    return network.eval()
