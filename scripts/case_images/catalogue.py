"""Which image is drawn by which function, and which pack it belongs to.

File names are neutral (case id and modality): a path that reaches an agent must not
carry the diagnosis. Each pack's images live in ``scenarios/<pack>/images/``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from .abdomen import make_axr_small_bowel, make_barium_swallow
from .brain_cases import (
    make_ct_chronic_subdural,
    make_mri_demyelination,
    make_mri_ventriculomegaly,
)
from .charts_clinical import make_platelet_trend, make_rns_train, make_tympanograms
from .charts_core import (
    make_lab_ck_creatinine_trend,
    make_spirometry_obstructive_reversible,
)
from .charts_specialist import (
    make_gastric_emptying,
    make_ph_impedance,
    make_water_deprivation,
)
from .ct_head import make_ct_epidural_hematoma
from .cxr_cases import (
    make_cxr_apical_mass,
    make_cxr_bibasal_patchy,
    make_cxr_cavity_fluid_level,
    make_cxr_hilar_mass,
    make_cxr_loculated_effusion,
    make_cxr_lower_zone_nodules,
    make_cxr_mediastinal_air,
    make_cxr_nodal_miliary,
    make_cxr_round_opacity,
    make_cxr_silicotic_nodules,
    make_cxr_upper_zone_cavity,
)
from .cxr_core import make_cxr_left_pneumothorax, make_cxr_rll_consolidation
from .ecg_cardiology import (
    make_ecg_alternans,
    make_ecg_anterior_st,
    make_ecg_broad_tachycardia,
    make_ecg_coved_st,
    make_ecg_exercise_peak,
    make_ecg_narrow_tachycardia,
    make_ecg_preexcitation,
    make_ecg_sawtooth,
)
from .ecg_core import (
    make_ecg_afib,
    make_ecg_complete_heart_block,
    make_ecg_hyperkalemia,
    make_ecg_inferior_stemi,
)
from .ecg_metabolic import (
    make_ecg_ectopics_long_qt,
    make_ecg_long_st,
    make_ecg_u_waves,
)
from .eeg import (
    make_eeg_lateralised_periodic,
    make_eeg_periodic_complexes,
    make_eeg_polyspike_wave,
    make_eeg_spike_wave_3hz,
    make_eeg_temporal_sharp,
)
from .neck import make_xr_lateral_neck
from .nuclear import make_sestamibi, make_spect_dat, make_thyroid_scan
from .smear import make_smear_ring_forms, make_smear_sickle_cells
from .smear_cases import (
    make_smear_blasts,
    make_smear_enlarged_infected,
    make_smear_lymphocytosis,
    make_smear_small_rings,
    make_smear_spherocytes,
)
from .spirometry import (
    make_spirometry_copd,
    make_spirometry_inspiratory_flattening,
    make_spirometry_severe_scooped,
)
from .us_cases import (
    make_us_cystic_kidney,
    make_us_liver_lesion,
    make_us_pylorus,
    make_us_renal_mass,
)
from .us_core import make_us_ectopic_adnexal_mass, make_us_gallstones
from .us_specialist import (
    make_us_dilated_duct,
    make_us_nodular_liver_ascites,
    make_us_polyfollicular_ovary,
    make_us_thyroid_nodule,
)

Drawing = Callable[[], tuple[Figure, str]]


@dataclass(frozen=True)
class Entry:
    """One image: the pack whose ``images/`` folder holds it and the function drawing it.

    The function returns the figure and the PNG mode it is stored in ("RGB", "L", "P").
    """

    pack: str
    draw: Drawing


CORE: dict[str, Drawing] = {
    "cardiology-001-ecg": make_ecg_afib,
    "cardiology-002-ecg": make_ecg_inferior_stemi,
    "cardiology-003-ecg": make_ecg_complete_heart_block,
    "nephrology-001-ecg": make_ecg_hyperkalemia,
    "pulmonology-001-cxr": make_cxr_rll_consolidation,
    "pulmonology-002-cxr": make_cxr_left_pneumothorax,
    "pulmonology-004-spirometry": make_spirometry_obstructive_reversible,
    "neurology-005-ct-head": make_ct_epidural_hematoma,
    "gastroenterology-002-ultrasound": make_us_gallstones,
    "infectious-disease-001-smear": make_smear_ring_forms,
    "hematology-002-smear": make_smear_sickle_cells,
    "nephrology-003-lab-trend": make_lab_ck_creatinine_trend,
    "obstetrics-001-ultrasound": make_us_ectopic_adnexal_mass,
}

# Specialist packs: pack name -> {image name: drawing}. See scenarios/IMAGES.md for what
# each specialty gets and why.
SPECIALIST: dict[str, dict[str, Drawing]] = {
    "cardiology": {
        "cardiology-101-ecg-exercise": make_ecg_exercise_peak,
        "cardiology-103-ecg": make_ecg_narrow_tachycardia,
        "cardiology-106-ecg": make_ecg_alternans,
        "cardiology-108-ecg": make_ecg_broad_tachycardia,
        "cardiology-111-ecg": make_ecg_preexcitation,
        "cardiology-114-ecg": make_ecg_sawtooth,
        "cardiology-118-ecg": make_ecg_anterior_st,
        "cardiology-122-ecg": make_ecg_coved_st,
    },
    "pulmonology": {
        "pulmonology-101-spirometry": make_spirometry_copd,
        "pulmonology-103-cxr": make_cxr_upper_zone_cavity,
        "pulmonology-105-cxr": make_cxr_cavity_fluid_level,
        "pulmonology-106-cxr": make_cxr_loculated_effusion,
        "pulmonology-111-cxr": make_cxr_silicotic_nodules,
        "pulmonology-117-cxr": make_cxr_hilar_mass,
        "pulmonology-120-spirometry": make_spirometry_severe_scooped,
        "pulmonology-123-spirometry": make_spirometry_inspiratory_flattening,
        "pulmonology-124-cxr": make_cxr_apical_mass,
    },
    "neurology": {
        "neurology-104-spect": make_spect_dat,
        "neurology-109-mri": make_mri_demyelination,
        "neurology-112-mri": make_mri_ventriculomegaly,
        "neurology-113-eeg": make_eeg_polyspike_wave,
        "neurology-117-eeg": make_eeg_temporal_sharp,
        "neurology-119-ct-head": make_ct_chronic_subdural,
        "neurology-121-eeg": make_eeg_periodic_complexes,
    },
    "gastroenterology": {
        "gastroenterology-101-ph-impedance": make_ph_impedance,
        "gastroenterology-103-barium-swallow": make_barium_swallow,
        "gastroenterology-104-cxr": make_cxr_mediastinal_air,
        "gastroenterology-106-emptying-chart": make_gastric_emptying,
        "gastroenterology-107-axr": make_axr_small_bowel,
        "gastroenterology-118-ultrasound": make_us_nodular_liver_ascites,
        "gastroenterology-123-ultrasound": make_us_dilated_duct,
    },
    "endocrinology": {
        "endocrinology-101-thyroid-scan": make_thyroid_scan,
        "endocrinology-104-ultrasound": make_us_thyroid_nodule,
        "endocrinology-105-ecg": make_ecg_u_waves,
        "endocrinology-106-sestamibi": make_sestamibi,
        "endocrinology-107-ecg": make_ecg_long_st,
        "endocrinology-117-water-deprivation": make_water_deprivation,
        "endocrinology-121-ultrasound": make_us_polyfollicular_ovary,
    },
    "infectious-disease": {
        "infectious-disease-104-smear": make_smear_enlarged_infected,
        "infectious-disease-111-eeg": make_eeg_lateralised_periodic,
        "infectious-disease-115-ultrasound": make_us_liver_lesion,
        "infectious-disease-117-cxr": make_cxr_nodal_miliary,
        "infectious-disease-119-cxr": make_cxr_round_opacity,
        "infectious-disease-120-smear": make_smear_small_rings,
        "infectious-disease-123-cxr": make_cxr_bibasal_patchy,
        "infectious-disease-125-cxr": make_cxr_lower_zone_nodules,
    },
    "internal-medicine": {
        "internal-medicine-101-ultrasound": make_us_cystic_kidney,
        "internal-medicine-105-smear": make_smear_lymphocytosis,
        "internal-medicine-112-platelet-trend": make_platelet_trend,
        "internal-medicine-114-smear": make_smear_spherocytes,
        "internal-medicine-120-ecg": make_ecg_ectopics_long_qt,
    },
    "pediatrics": {
        "pediatrics-102-ultrasound": make_us_pylorus,
        "pediatrics-103-tympanometry": make_tympanograms,
        "pediatrics-112-eeg": make_eeg_spike_wave_3hz,
        "pediatrics-115-ultrasound": make_us_renal_mass,
        "pediatrics-121-rns": make_rns_train,
        "pediatrics-122-xr-neck": make_xr_lateral_neck,
        "pediatrics-123-smear": make_smear_blasts,
    },
}


def _build() -> dict[str, Entry]:
    table = {name: Entry("core", fn) for name, fn in CORE.items()}
    for pack, images in SPECIALIST.items():
        for name, fn in images.items():
            if name in table:
                raise ValueError(f"image name {name!r} is used twice")
            table[name] = Entry(pack, fn)
    return table


IMAGES: dict[str, Entry] = _build()


def packs() -> list[str]:
    """Every pack that has at least one image, core first."""
    return ["core", *sorted({e.pack for e in IMAGES.values()} - {"core"})]


def names_in(selected: list[str]) -> list[str]:
    """Image names of the selected packs, in catalogue order."""
    return [name for name, e in IMAGES.items() if e.pack in selected]
