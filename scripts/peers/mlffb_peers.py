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


def torchani_ani2x(weights_dir, data_dir, dtype=None, device=None, **options):
    """TorchANI 2.9's own ANI2x() (8-network ensemble, periodic_table_index=True) on mlff-bench's
    weights, in eval mode without parameter gradients. `options` go to ANI2x() as they are
    (strategy="pyaev" or "cuaev", neighborlist="all_pairs" or "cell_list"; TorchANI's defaults
    when not given)."""
    use_neurochem_ani2x(weights_dir, data_dir)
    import torchani
    model = torchani.models.ANI2x(periodic_table_index=True, **options)
    return model.to(dtype=dtype, device=device).eval()


# ---------------------------------------------------------------------------------------------
# TorchMD-Net 3.1: its Equivariant Transformer on mlff-bench's ET weights, and TensorNet.
# Positions in Å, the model's output taken as kJ/mol (the units of mlff-bench's ET), forces by
# TorchMD-Net's own autograd (derivative=True).

# mlff-bench's ET buffer names (workloads/torchmd_et/EtTensors.hpp, as `mlff-bench export --model et`
# writes them) → TorchMD-Net's state-dict keys. Per attention layer l and head block b the names
# repeat with l<l>_ / head<b>_ prefixes (see et_state_dict_key).
ET_GLOBAL_NAMES = {
    "emb1": "representation_model.embedding.weight",
    "emb2": "representation_model.neighbor_embedding.embedding.weight",
    "rbf_means": "representation_model.distance_expansion.means",
    "rbf_betas": "representation_model.distance_expansion.betas",
    "out_w": "representation_model.out_norm.weight",
    "out_b": "representation_model.out_norm.bias",
    "distance_proj": "representation_model.neighbor_embedding.distance_proj",
    "combine": "representation_model.neighbor_embedding.combine",
}
ET_LAYER_NAMES = {"ln": "layernorm", "q": "q_proj", "k": "k_proj", "v": "v_proj", "o": "o_proj",
                  "vec_proj": "vec_proj", "dk": "dk_proj", "dv": "dv_proj"}
ET_HEAD_NAMES = {"vec1": "vec1_proj", "vec2": "vec2_proj", "update1": "update_net.layers.0",
                 "update2": "update_net.layers.2"}
# TorchMD-Net entries that mlff-bench's ET has no weight for: the output's mean/std (0 and 1, as
# standardize=False leaves them) and the neighbour search's default box.
ET_KEYS_NOT_TRANSFERRED = {"mean", "std", "representation_model.distance.box"}


def et_state_dict_key(name):
    """The TorchMD-Net key of one mlff-bench ET buffer name (e.g. l3_vec_proj_w →
    representation_model.attention_layers.3.vec_proj.weight); KeyError for an unknown name."""
    if name in ET_GLOBAL_NAMES:
        return ET_GLOBAL_NAMES[name]
    stem, suffix = name.rsplit("_", 1)
    leaf = {"w": "weight", "b": "bias"}[suffix]
    if stem in ET_GLOBAL_NAMES:
        return f"{ET_GLOBAL_NAMES[stem]}.{leaf}"
    prefix, part = stem.split("_", 1)
    if prefix.startswith("head"):
        return f"output_model.output_network.{int(prefix[4:])}.{ET_HEAD_NAMES[part]}.{leaf}"
    if prefix.startswith("l"):
        return f"representation_model.attention_layers.{int(prefix[1:])}.{ET_LAYER_NAMES[part]}.{leaf}"
    raise KeyError(name)


def subdomain_metadata(cutoff_nm, interaction_steps, **more):
    """The subdomain contract's mlffb.json (README "Subdomain contract") of a model whose atoms'
    energies reach interaction_steps x cutoff_nm (nm): the receptive field LAMMPS ranks hold ghosts to."""
    return dict(contract="mlffb-subdomain/1", cutoff_nm=cutoff_nm, interaction_steps=interaction_steps,
                receptive_field_nm=interaction_steps * cutoff_nm, **more)


def read_mlffb_export(path):
    """An `mlff-bench export` file: (the TorchScript module, its description dict)."""
    import json
    import torch
    extra = {"mlff_bench.json": ""}
    module = torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
    return module, json.loads(extra["mlff_bench.json"])


def _torchmdnet_args(model, hp, **more):
    """create_model's argument dict: the architecture's hyper-parameters `hp` and the settings every
    peer here shares (float64, no prior, no standardisation, forces by autograd)."""
    args = dict(model=model, rbf_type="expnorm", trainable_rbf=False, activation="silu", cutoff_lower=0.0,
                derivative=True, prior_model=None, atom_filter=-1, reduce_op="add", output_model="Scalar",
                precision=64, standardize=False, static_shapes=False, check_errors=True, box_vecs=None,
                charge=False, spin=False)
    args.update(hp)
    args.update(more)
    return args


def _torchmdnet_model(args, state, dtype, device):
    """create_model in TorchMD-Net's own precision for `dtype` (its float32 or float64 model) with the
    float64 `state` loaded (rounded once to float32 for a float32 model, as mlff-bench's flavours
    round their float64 masters), in eval mode on `device`."""
    import torch
    from torchmdnet.models.model import create_model
    model = create_model(dict(args, precision=64 if dtype == torch.float64 else 32))
    model.load_state_dict(state)
    return model.to(device).eval()


def torchmdnet_et_from_export(path, dtype, device):
    """TorchMD-Net's own Equivariant Transformer with the hyper-parameters and weights of an
    `mlff-bench export --model et` file (exported in float64). Every weight is copied by
    et_state_dict_key, the ExpNormal means and betas included: TorchMD-Net computes its own in
    float32 even in a float64 model, so ours (exact float64) replace them and the two models compute
    one function. Returns (model, description)."""
    import torch
    from torchmdnet.models.model import create_model
    module, desc = read_mlffb_export(path)
    if desc.get("model") != "et":
        raise ValueError(f"{path}: an export of '{desc.get('model')}', not of the ET")
    h = desc["hyperparameters"]
    args = _torchmdnet_args("equivariant-transformer", dict(
        embedding_dimension=h["hidden_channels"], num_layers=h["num_layers"], num_rbf=h["num_rbf"],
        cutoff_lower=float(h["cutoff_lower"]), cutoff_upper=float(h["cutoff_upper"]), max_z=h["max_z"],
        max_num_neighbors=h["max_num_neighbors"], num_heads=h["num_heads"], vector_cutoff=h["vector_cutoff"],
        attn_activation="silu", neighbor_embedding=True, distance_influence="both"))
    model = create_model(args)
    state = model.state_dict()
    copied = set()
    for name, value in module.named_buffers():
        if name.startswith("pbc_") or name == "atomic_numbers":
            continue  # the export's own inputs, not weights
        key = et_state_dict_key(name)
        if state[key].shape != value.shape:
            raise ValueError(f"{path}: {name} has shape {tuple(value.shape)}, TorchMD-Net's {key} {tuple(state[key].shape)}")
        state[key] = value.to(torch.float64)
        copied.add(key)
    missing = set(state) - copied - ET_KEYS_NOT_TRANSFERRED
    if missing:
        raise ValueError(f"{path}: no weights for TorchMD-Net's {sorted(missing)[0]} (and {len(missing) - 1} more)")
    return _torchmdnet_model(args, state, dtype, device), {"hyperparameters": h, "weights": desc.get("weights")}


# TensorNet's published presets: the example configurations of the TorchMD-Net repository
# (examples/TensorNet-ANI1X.yaml, -ANI2X.yaml, -SPICE.yaml; the wheel ships no configurations):
# 128 channels, 2 layers, expnorm rbf, max_z 128, 128 neighbours, O(3).
TENSORNET_PRESETS = {
    "ani1x": dict(embedding_dimension=128, num_layers=2, num_rbf=32, cutoff_upper=4.5),
    "ani2x": dict(embedding_dimension=128, num_layers=2, num_rbf=32, cutoff_upper=5.0),
    "spice": dict(embedding_dimension=128, num_layers=2, num_rbf=64, cutoff_upper=10.0),
}


def torchmdnet_tensornet(preset, seed, dtype, device, max_num_neighbors=128, overrides=None):
    """TorchMD-Net's TensorNet with a published preset (its sizes changed by `overrides`, e.g.
    {"embedding_dimension": 16}) and TorchMD-Net's own random initialisation after
    torch.manual_seed(seed). Returns (model, description)."""
    import torch
    from torchmdnet.models.model import create_model
    if preset not in TENSORNET_PRESETS:
        raise ValueError(f"unknown TensorNet preset '{preset}' ({', '.join(TENSORNET_PRESETS)})")
    hp = dict(TENSORNET_PRESETS[preset], max_z=128, max_num_neighbors=max_num_neighbors,
              equivariance_invariance_group="O(3)")
    hp.update(overrides or {})
    args = _torchmdnet_args("tensornet", hp)
    torch.manual_seed(seed)
    state = create_model(args).state_dict()  # drawn in float64, so both precisions have one set of weights
    desc = {"hyperparameters": dict(hp, preset=preset, rbf_type="expnorm", activation="silu"),
            "weights": f"random(seed={seed}, torch.manual_seed + TorchMD-Net's own initialisation)"}
    return _torchmdnet_model(args, state, dtype, device), desc


def torchmdnet_energy_forces(model, numbers, positions, box, want_forces):
    """(energy, forces or None) of a TorchMD-Net model (derivative=True) on one structure:
    numbers (N) long, positions (N,3) Å, box (3,3) Å rows a b c or None (vacuum)."""
    import torch
    model.derivative = want_forces
    with torch.set_grad_enabled(want_forces):
        energy, neg_dy = model(numbers, positions, box=box)
    return energy.detach().sum(), (neg_dy if want_forces else None)


def torchmdnet_atomic_energies(model, numbers, positions):
    """The per-atom energies (N) of a TorchMD-Net model on one structure in vacuum (numbers (N)
    long, positions (N,3) Å): what TorchMD_Net.forward has before its reduction over the atoms (the
    representation, the output model's pre_reduce, extra per-atom terms, the std scaling, atom-wise
    priors), so that their sum is its energy. A model that adds anything after the reduction (a mean,
    a molecule-wise prior, an output post_reduce) has no per-atom share of it: ValueError."""
    import torch
    from torchmdnet.models.output_modules import OutputModel
    from torchmdnet.priors.base import BasePrior
    if model.mean is not None and bool((model.mean != 0).any()):
        raise ValueError("the model adds its mean after the reduction over atoms: no per-atom energies")
    if type(model.output_model).post_reduce is not OutputModel.post_reduce:
        raise ValueError(f"the output model {type(model.output_model).__name__} transforms the sum: no per-atom energies")
    priors = list(model.prior_model) if model.prior_model is not None else []
    if any(type(p).post_reduce is not BasePrior.post_reduce for p in priors):
        raise ValueError("a prior adds a molecule-wise term after the reduction: no per-atom energies")
    batch = torch.zeros_like(numbers)
    x, v, z, pos, batch = model.representation_model(numbers, positions, batch, box=None, q=None, s=None)
    x = model.output_model.pre_reduce(x, v, z, pos, batch, box=None)
    extra = getattr(model.representation_model, "extra_energy", None)
    if extra is not None:
        x = x + extra
    if model.std is not None:
        x = x * model.std
    for prior in priors:
        x = prior.pre_reduce(x, z, pos, batch, None)
    return x.reshape(-1)


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
