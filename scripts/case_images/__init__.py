"""Simulated, schematic case images for AgentClinic, drawn from scratch (CC BY 4.0).

One module per job: ``common`` (saving, raster maths), ``ecg_engine`` and the ECG image
modules, ``cxr_model`` and the chest-film modules, ``ct_head``, ``us_engine`` and the
ultrasound modules, ``smear``, the chart modules, ``catalogue`` (image name -> pack and
drawing) and ``cli``. What is drawn for which specialty, and why, is documented in
``scripts/generate_case_images.py`` and ``scenarios/IMAGES.md``.
"""
