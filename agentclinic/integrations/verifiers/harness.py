"""The doctor's harness: one chat completion per turn, run in-process.

verifiers' built-in ``null`` chat harness launches a uv-managed script per segment (it
downloads its own dependencies); a doctor needs neither tools nor a sandbox, so this harness
makes the one model call itself. As verifiers' ``Harness.launch`` contract requires, the
call goes through the rollout's interception ``endpoint`` with its ``secret``, so the trace
records the call, its tokens and the run's sampling settings exactly as for any harness.
"""

from __future__ import annotations

import asyncio
import weakref

import httpx
import verifiers.v1 as vf
from openai import AsyncOpenAI
from verifiers.v1.dialects.chat import message_to_wire


class ClinicHarnessConfig(vf.HarnessConfig):
    """No options: the harness is a plain chat call."""


class ClinicHarness(vf.Harness[ClinicHarnessConfig]):
    APPENDS_SYSTEM_PROMPT = True  # the doctor's instructions go out as a system message
    SUPPORTS_RESUME = True  # each turn relaunches on the whole conversation (stateless)
    EXECUTES_CODE = False
    NEEDS_CONTAINER = False

    def __init__(self, config: ClinicHarnessConfig) -> None:
        super().__init__(config)
        # One connection pool per event loop: a fresh OpenAI client per turn costs ~0.1 s of
        # CPU (it builds an SSL context), which dominated a turn against a fast endpoint.
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = \
            weakref.WeakKeyDictionary()

    async def launch(self, ctx, trace, runtime, endpoint, secret, mcp_urls, data) -> vf.ProgramResult:
        system, prompt = self.resolve_prompt(data)
        messages = [{"role": "system", "content": system}] if system else []
        if isinstance(prompt, str):
            messages.append({"role": "user", "content": prompt})
        elif prompt:
            messages.extend(message_to_wire(message) for message in prompt)
        client = AsyncOpenAI(base_url=endpoint, api_key=secret, http_client=self._pool())
        completion = await client.chat.completions.create(model=ctx.model, messages=messages)
        reply = completion.choices[0].message.content if completion.choices else None
        return vf.ProgramResult(exit_code=0, stdout=reply or "", stderr="")

    def _pool(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if loop not in self._pools:
            # No read timeout: a model turn may be slow; the rollout's own timeout bounds it.
            self._pools[loop] = httpx.AsyncClient(timeout=httpx.Timeout(None, connect=10.0),
                                                  limits=httpx.Limits(max_connections=None))
        return self._pools[loop]
