"""The A1111 infotext family, written the way each UI writes it (AUTOMATIC1111, Forge, SD.Next,
Fooocus "a1111" scheme): parsed by structure, whatever fields a fork adds or drops."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, PngImagePlugin

from shopguard.checks.a1111_infotext import parse_infotext, writer_name
from shopguard.checks.findings import Strength
from shopguard.checks.generator_metadata import GeneratorMetadataCheck
from tests.checks.metadata_support import run_check


def _quote(value: object) -> str:
    """The A1111 rule for one value: a JSON string when it holds a comma, colon or newline."""
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if any(c in text for c in ",:\n") else text


def _infotext(prompt: str, negative: str, params: dict[str, object]) -> str:
    tail = ", ".join(k if k == v else f"{k}: {_quote(v)}" for k, v in params.items() if v is not None)
    neg = f"\nNegative prompt: {negative}" if negative else ""
    return f"{prompt}{neg}\n{tail}".strip()


PROMPT = "a red ceramic mug on a wooden table,\nsoft light, (photo:1.2)"
A1111 = {
    "Steps": 20,
    "Sampler": "DPM++ 2M",
    "Schedule type": "Karras",
    "CFG scale": 7,
    "Seed": 1234567890,
    "Size": "512x768",
    "Model hash": "6ce0161689",
    "Model": "v1-5-pruned-emaonly",
    "Lora hashes": "detail: 62ae2d1b9f2c, style: 0a1b2c3d4e5f",
    "Version": "v1.10.1",
}
FORGE = {
    "Steps": 25,
    "Sampler": "Euler",
    "Schedule type": "Simple",
    "CFG scale": 1,
    "Distilled CFG Scale": 3.5,
    "Seed": 42,
    "Size": "896x1152",
    "Model": "flux1-dev-bnb-nf4-v2",
    "Version": "f2.0.1v1.10.1-previous-313",
}
SDNEXT = {
    "Steps": 30,
    "Seed": 3112,
    "Sampler": "DPM++ 2M",
    "CFG scale": 6,
    "Size": "1024x1024",
    "Parser": "native",
    "Model": "sdxl-base",
    "Backend": "Diffusers",
    "App": "SD.Next",
    "Version": "0cf1b2a",
    "Operations": "txt2img",
    "Pipeline": "StableDiffusionXLPipeline",
}
FOOOCUS = {
    "Steps": 30,
    "Sampler": "DPM++ 2M SDE Karras",
    "Seed": "5839201",
    "Size": "1152x896",
    "CFG scale": 4,
    "Sharpness": 2,
    "ADM Guidance": "(1.5, 0.8, 0.3)",
    "Model": "juggernautXL_v8Rundiffusion",
    "Model hash": "aeb7e9e689",
    "Performance": "Speed",
    "Scheduler": "karras",
    "VAE": "Default (model)",
    "Raw prompt": "a red mug, studio",
    "Raw negative prompt": "",
    "Version": "Fooocus v2.5.5",
}


def test_every_dialect_parses_with_its_prompts_and_quoted_values() -> None:
    for params, name in ((A1111, "Stable Diffusion"), (FORGE, "Forge"), (SDNEXT, "SD.Next"), (FOOOCUS, "Fooocus")):
        info = parse_infotext(_infotext(PROMPT, "blurry, lowres", params))
        assert info is not None, name
        assert info.prompt == PROMPT and info.negative_prompt == "blurry, lowres"
        assert info.get("steps") == str(params["Steps"]) and name in writer_name(info)
    info = parse_infotext(_infotext(PROMPT, "", A1111))
    assert info is not None and info.negative_prompt == ""
    assert info.get("Lora hashes") == "detail: 62ae2d1b9f2c, style: 0a1b2c3d4e5f"  # commas inside quotes


def test_dropped_and_reordered_fields_still_parse() -> None:
    """A fork that writes only Seed and Size (no Steps, no Sampler) and puts them in another order."""
    info = parse_infotext("cat\nSize: 640x480, Seed: 7, Guidance: 3.5, Denoise: 1")
    assert info is not None and info.prompt == "cat"


def test_text_without_the_structure_is_not_infotext() -> None:
    for text in (
        "my camera parameters: ISO 100",
        "Steps to the beach, Sampler of cheese",
        "Holiday\nLocation: Paris, Camera: Nikon, Lens: 50mm",  # key-value, but no generation fields
        "Notes\nSteps: 3, Size: big, Mood: calm",  # one core field of the right shape only
        'cat\nSteps: 20, Seed: 1, Model: "unclosed',
    ):
        assert parse_infotext(text) is None, text


def test_sd_next_png_and_fooocus_jpeg_written_like_the_ui(tmp_path: Path) -> None:
    png = tmp_path / "sdnext.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", _infotext(PROMPT, "blurry", SDNEXT))
    Image.new("RGB", (64, 64), "gray").save(png, pnginfo=info)
    [finding] = run_check(GeneratorMetadataCheck(), png)
    assert finding.strength is Strength.STRONG and finding.fields["generator"].startswith("SD.Next")

    # Fooocus's get_exif: the text in UserComment of IFD0, "Fooocus v..." in Software, the scheme in MakerNote.
    jpg = tmp_path / "fooocus.jpg"
    exif = Image.Exif()
    exif[0x9286] = _infotext(PROMPT, "", FOOOCUS)
    exif[0x0131] = "Fooocus v2.5.5"
    exif[0x927C] = "a1111"
    Image.new("RGB", (64, 64), "gray").save(jpg, exif=exif)
    findings = run_check(GeneratorMetadataCheck(), jpg)
    assert any(f.fields["generator"].startswith("Fooocus") for f in findings), [f.fields for f in findings]
    assert all(f.strength is Strength.STRONG for f in findings)


def test_real_files_of_the_family(testdata: Path) -> None:
    for name in (
        "sd-metadata__png__sd-webui.png",
        "sd-metadata__jpg__sd-webui.jpg",
        "sd-metadata__webp__sd-webui.webp",
    ):
        findings = run_check(GeneratorMetadataCheck(), testdata / "ai-metadata" / name)
        assert any("AUTOMATIC1111-style" in f.fields["generator"] for f in findings), name
