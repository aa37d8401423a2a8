"""What the peer scripts share: the real packages (TorchANI, TorchMD-Net, openmm-ml) set up on the
weights mlff-bench uses, offline.

TorchANI 2.9 fetches ANI-2x from the Hugging Face hub on first use; mlff-bench has the same model as
the NeuroChem files it reads itself (ani-2x_8x: one .params file, sae_linfit.dat, train0..7). So
`use_neurochem_ani2x(weights_dir, data_dir)` makes a TorchANI data folder in which
  Neurochem/ani-2x_8x      -> weights_dir (a link) with the ani-2x_8x.info TorchANI's loader reads,
  StateDicts/ani2x_state_dict.pt  TorchANI's own state dict of that model, converted by TorchANI's
                                  own NeuroChem loader,
and points TorchANI at it with the hub off. Everything that builds `torchani.models.ANI2x()` then
(openmm-ml's MLPotential('ani2x') included) gets those weights and nothing is downloaded.
"""
import os
from pathlib import Path

ANI2X_INFO = "ani-2x_8x/rHCNOSFCl-5.1R_16-3.5A_a8-4.params\nani-2x_8x/sae_linfit.dat\nani-2x_8x/train\n8\n"


def cached_ani2x_data_dir(weights_dir):
    """A TorchANI data folder for `weights_dir` that outlives one run (TorchANI's conversion of the
    NeuroChem files takes seconds): $XDG_CACHE_HOME (or ~/.cache)/mlff-bench/torchani-<hash of the
    weights folder's path>, prepared by use_neurochem_ani2x under a file lock, so processes started
    side by side (tests at ctest -j) neither race nor convert twice. Returns the folder."""
    import fcntl
    import hashlib
    weights = Path(weights_dir).resolve()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mlff-bench"
    data = cache / ("torchani-" + hashlib.sha256(str(weights).encode()).hexdigest()[:16])
    data.mkdir(parents=True, exist_ok=True)
    with open(data / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        use_neurochem_ani2x(weights, data)
    return data


def use_neurochem_ani2x(weights_dir, data_dir):
    """Prepares `data_dir` as described above and sets TORCHANI_DATA_DIR and HF_HUB_OFFLINE.
    Returns the path of the .info file. Raises FileNotFoundError naming what is missing."""
    weights = Path(weights_dir).resolve()
    for need in ("rHCNOSFCl-5.1R_16-3.5A_a8-4.params", "sae_linfit.dat", "train0"):
        if not (weights / need).exists():
            raise FileNotFoundError(f"{weights}: not the ANI-2x NeuroChem folder ({need} missing)")
    data = Path(data_dir)
    (data / "Neurochem").mkdir(parents=True, exist_ok=True)
    (data / "StateDicts").mkdir(parents=True, exist_ok=True)
    link = data / "Neurochem" / "ani-2x_8x"
    if not link.exists():
        link.symlink_to(weights, target_is_directory=True)
    info = data / "Neurochem" / "ani-2x_8x.info"
    info.write_text(ANI2X_INFO)
    os.environ["TORCHANI_DATA_DIR"] = str(data.resolve())
    os.environ["HF_HUB_OFFLINE"] = "1"
    state = data / "StateDicts" / "ani2x_state_dict.pt"
    if not state.exists():
        import torch
        from torchani.neurochem import load_model_from_info_file
        model = load_model_from_info_file(info)
        tmp = state.with_suffix(".tmp")
        torch.save(model.state_dict(), tmp)
        os.replace(tmp, state)
    return info


def torchani_ani2x(weights_dir, data_dir, dtype=None, device=None):
    """TorchANI 2.9's own ANI2x() (8-network ensemble, periodic_table_index=True) on mlff-bench's
    weights, in eval mode without parameter gradients."""
    use_neurochem_ani2x(weights_dir, data_dir)
    import torchani
    model = torchani.models.ANI2x(periodic_table_index=True)
    return model.to(dtype=dtype, device=device).eval()
