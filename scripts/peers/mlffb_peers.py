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


# ---------------------------------------------------------------------------------------------
# mace-torch 0.3: MACE-OFF23's architectures (random weights from a seed), or a user's .model file.

# kJ/mol per eV from the exact SI constants (CODATA 2018, the line of core/Units.hpp's Hartree):
# e = 1.602176634e-19 C, N_A = 6.02214076e23 /mol.
KJ_PER_MOL_PER_EV = 1.602176634e-19 * 6.02214076e23 / 1000.0

# MACE-OFF23's published architectures: Kovács et al., "MACE-OFF23: Transferable machine learning
# force fields for organic molecules", arXiv:2312.15211 (Methods, "Model"): three models that differ
# only in their message irreps, small = 96 channels with L = 0 (96x0e), medium = 128 channels with
# L = 1 (128x0e+128x1o), large = 192 channels with L = 2 (192x0e+192x1o+192x2e); all with a 5 Å
# cutoff, 2 message-passing layers, correlation order 3 (body order 4), spherical harmonics up to
# l = 3, and trained on the elements H C N O F P S Cl Br I (SPICE). The values the paper leaves to
# the package are mace's own defaults of that time (mace/tools/arg_parser.py, the `MACE` model of
# run_train, which builds ScaleShiftMACE): 8 Bessel radial functions, polynomial cutoff envelope of
# order 5, radial MLP [64, 64, 64], readout MLP 16x0e, SiLU gate, a RealAgnosticInteractionBlock first
# and RealAgnosticResidualInteractionBlocks after it (mace/tools/model_script_utils.py, _build_model
# for "MACE"), full (not reduced) Clebsch-Gordan coefficients (--use_reduced_cg False).
MACE_OFF23_COMMON = dict(r_max=5.0, num_interactions=2, correlation=3, max_ell=3, num_bessel=8,
                         num_polynomial_cutoff=5, radial_MLP=[64, 64, 64], MLP_irreps="16x0e")
MACE_OFF23_HIDDEN_IRREPS = {"small": "96x0e", "medium": "128x0e+128x1o", "large": "192x0e+192x1o+192x2e"}
MACE_OFF23_ELEMENTS = [1, 6, 7, 8, 9, 15, 16, 17, 35, 53]  # H C N O F P S Cl Br I
# What a trained model learns from its training set and random weights cannot have: the isolated
# atoms' energies E0 (0 here: the energy is the interaction energy), the mean number of neighbours
# that normalises the messages (MACE computes it from the training set; 30 here, about an organic
# molecule's count within 5 Å), the scale and shift of the atomic energies (1 and 0).
MACE_RANDOM_AVG_NEIGHBORS = 30.0


def mace_off23_random(preset, seed, r_max=None):
    """mace-torch's ScaleShiftMACE with MACE-OFF23's `preset` architecture (small, medium or large)
    and mace's own initialisation after torch.manual_seed(seed), in float64 (so that the float32
    model is the same weights rounded once); `r_max` (Å) replaces the 5 Å cutoff where a test needs
    a short receptive field. Returns (model, description)."""
    import numpy as np
    import torch
    from mace import modules  # first: mace lets e3nn's constants load under torch.load's weights_only default
    from e3nn import o3
    if preset not in MACE_OFF23_HIDDEN_IRREPS:
        raise ValueError(f"unknown MACE-OFF23 preset '{preset}' ({', '.join(MACE_OFF23_HIDDEN_IRREPS)})")
    hp = dict(MACE_OFF23_COMMON, hidden_irreps=MACE_OFF23_HIDDEN_IRREPS[preset])
    if r_max is not None:
        hp["r_max"] = float(r_max)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        torch.manual_seed(seed)
        model = modules.ScaleShiftMACE(
            r_max=hp["r_max"], num_bessel=hp["num_bessel"], num_polynomial_cutoff=hp["num_polynomial_cutoff"],
            max_ell=hp["max_ell"], interaction_cls=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
            interaction_cls_first=modules.interaction_classes["RealAgnosticInteractionBlock"],
            num_interactions=hp["num_interactions"], num_elements=len(MACE_OFF23_ELEMENTS),
            hidden_irreps=o3.Irreps(hp["hidden_irreps"]), MLP_irreps=o3.Irreps(hp["MLP_irreps"]),
            atomic_energies=np.zeros(len(MACE_OFF23_ELEMENTS)), avg_num_neighbors=MACE_RANDOM_AVG_NEIGHBORS,
            atomic_numbers=MACE_OFF23_ELEMENTS, correlation=hp["correlation"], gate=torch.nn.functional.silu,
            radial_MLP=hp["radial_MLP"], use_reduced_cg=False, atomic_inter_scale=1.0, atomic_inter_shift=0.0)
    finally:
        torch.set_default_dtype(previous)
    desc = {"hyperparameters": dict(hp, preset=preset, model="ScaleShiftMACE", elements=MACE_OFF23_ELEMENTS,
                                    avg_num_neighbors=MACE_RANDOM_AVG_NEIGHBORS, atomic_energies="0 (random weights)"),
            "weights": f"random(seed={seed}, torch.manual_seed + mace-torch's own initialisation; "
                       "not MACE-OFF23's trained weights, which are ASL-licensed downloads)"}
    return model.eval(), desc


def mace_from_file(path):
    """A user's MACE model file (torch.load, as mace's calculator loads it), in float64.
    Returns (model, description)."""
    import torch
    model = torch.load(str(path), map_location="cpu", weights_only=False)
    hp = {"model": type(model).__name__, "r_max": float(model.r_max),
          "num_interactions": int(model.num_interactions), "elements": [int(z) for z in model.atomic_numbers],
          "heads": list(getattr(model, "heads", ["Default"]))}
    return model.double().eval(), {"hyperparameters": hp, "weights": str(Path(path).resolve())}


def mace_model(preset, seed, model_file, r_max=None):
    """The float64 MACE model of the `mace/mace-torch` flavour: a user's file when `model_file` is
    given, else MACE-OFF23's `preset` with random weights from `seed` (at cutoff `r_max` when given).
    Returns (model, description)."""
    return mace_from_file(model_file) if model_file else mace_off23_random(preset, seed, r_max)
