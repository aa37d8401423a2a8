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


def torchani_ani2x(weights_dir, data_dir, dtype=None, device=None, **options):
    """TorchANI 2.9's own ANI2x() (8-network ensemble, periodic_table_index=True) on mlff-bench's
    weights, in eval mode without parameter gradients. `options` go to ANI2x() as they are
    (strategy="pyaev" or "cuaev", neighborlist="all_pairs" or "cell_list"; TorchANI's defaults
    when not given)."""
    use_neurochem_ani2x(weights_dir, data_dir)
    import torchani
    model = torchani.models.ANI2x(periodic_table_index=True, **options)
    return model.to(dtype=dtype, device=device).eval()


ANI2X_PARAMS = "rHCNOSFCl-5.1R_16-3.5A_a8-4.params"
# TorchANI's AEV buffers and the NeuroChem constants they come from.
AEV_CONSTANTS = {"radial.eta": "EtaR", "radial.shifts": "ShfR", "angular.eta": "EtaA",
                 "angular.zeta": "Zeta", "angular.shifts": "ShfA", "angular.sections": "ShfZ"}


def neurochem_constants(weights_dir):
    """The AEV constants of the NeuroChem .params file as float64 lists, by name (EtaR, ShfR, …),
    and the self energies of sae_linfit.dat in the file's element order."""
    consts = {}
    for line in (Path(weights_dir) / ANI2X_PARAMS).read_text().splitlines():
        key, _, value = line.partition("=")
        value = value.strip()
        if value.startswith("[") and key.strip() != "Atyp":
            consts[key.strip()] = [float(v) for v in value.strip("[]").split(",")]
    sae = []
    for line in (Path(weights_dir) / "sae_linfit.dat").read_text().split():
        sae.append(float(line.partition("=")[2]))
    return consts, sae


def use_exact_constants(model, weights_dir):
    """Replaces the AEV constants and self energies of a float64 TorchANI ANI-2x, which TorchANI's
    NeuroChem loader rounded to float32, by the files' decimal values in float64 (what mlff-bench's
    own flavours read): the networks' weights are float32 in the files, so the model then computes
    exactly mlff-bench's function."""
    import torch
    consts, sae = neurochem_constants(weights_dir)
    buffers = dict(model.named_buffers())
    with torch.no_grad():
        for suffix, name in AEV_CONSTANTS.items():
            buf = buffers["potentials.nnp.aev_computer." + suffix]
            buf.copy_(torch.tensor(consts[name], dtype=buf.dtype).view_as(buf))
        shifter = buffers["energy_shifter.self_energies"]
        shifter.copy_(torch.tensor(sae, dtype=shifter.dtype).view_as(shifter))
    return model
