#!/usr/bin/env python3
"""Generate the simulated diagnostic images bundled with the AgentClinic case packs.

Every picture is drawn from scratch with numpy, matplotlib (Agg) and Pillow. Nothing is
copied or derived from patient data or any image collection: the images are simulated,
schematic teaching images made for AgentClinic and released under CC BY 4.0. The code
lives in the package ``scripts/case_images`` (one module per kind of image); this file
is only the entry point.

How things are drawn:

* ECGs on a standard paper grid (1 mm / 5 mm squares, 25 mm/s, 10 mm/mV). Each beat is a
  sum of Gaussians (P, Q, R, S, T, and for the specialist packs delta, R', U and coved or
  flat ST shifts) timed from the PR, QRS and QTc that the case states, so intervals can
  be measured off the grid; limb leads are derived from I and II so they agree.
* Radiographs from soft-edged densities turned into X-ray transmission: a frontal chest
  model with findings laid over it (consolidation, cavities, fluid, nodules, masses, gas,
  a destroyed rib), a plain abdominal film, a barium swallow and a lateral neck film.
* Axial brain slices as tissue masks rendered as CT (Hounsfield units, brain window) or
  as FLAIR MRI.
* Ultrasound from echogenicity and attenuation maps sampled along sector or linear beam
  lines, with speckle, so shadows and enhancement follow the physics.
* Nuclear medicine: expected counts from organ shapes with Poisson noise (DaT SPECT,
  thyroid and sestamibi scans).
* EEG: potentials at the 10-20 electrodes shown in a bipolar montage, so focal events
  phase-reverse and generalised ones show a frontal maximum.
* Thin blood films with a 10 µm scale bar, and charts (flow-volume loops whose FEV1 is
  measured on the drawn curve, a 24-hour pH trace whose acid exposure is measured on the
  drawn trace, laboratory and physiology charts with the case's own values).

What each specialty gets (see scenarios/IMAGES.md for the per-case list):

* cardiology: 12-lead ECGs and rhythm strips;
* pulmonology: chest films and flow-volume loops;
* neurology: EEG pages, head CT, FLAIR MRI and DaT SPECT;
* gastroenterology: chest and abdominal films, barium swallow, abdominal ultrasound,
  a pH-impedance trace and a gastric emptying curve;
* endocrinology: thyroid and pelvic ultrasound, thyroid and parathyroid scintigraphy,
  ECGs of electrolyte disorders, a water deprivation chart;
* infectious disease: blood films with parasites, chest films, liver ultrasound, EEG;
* internal medicine: ECGs of electrolyte and drug effects, blood films, renal
  ultrasound, a platelet trend;
* pediatrics: EEG, ultrasound, tympanograms, a repetitive nerve stimulation chart, a
  lateral neck film and a blood film;
* dermatology: none. The findings are colour and surface texture seen in photographs,
  dermoscopy and histology; a drawing would invent them, so no image is made.

Images carry the findings only as signals and geometry; no diagnosis is written on them,
and file names are neutral (case id and modality). Output is deterministic: fixed seeds,
no timestamps and no software tag, so re-running produces byte-identical PNG files.

Usage::

    python scripts/generate_case_images.py [--pack PACK ... | --pack all]
                                           [--out DIR] [--only NAME ...] [--list]

Without ``--pack`` only the core pack is drawn; without ``--out`` every image goes to its
pack's ``scenarios/<pack>/images/`` folder.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_images.cli import main

if __name__ == "__main__":
    sys.exit(main())
