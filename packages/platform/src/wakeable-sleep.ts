// The wait of a loop that polls for work but can be woken by a notification (the outbox relay,
// the evidence reconciler, the audit sequencer). A wake-up that arrives while the loop is busy is
// not lost: the next sleep returns at once.
export class WakeableSleep {
  private wakeNow: (() => void) | null = null
  private pending = false

  async sleep (ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false
      return
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.wakeNow = null; resolve() }, Math.max(0, ms))
      this.wakeNow = () => { this.wakeNow = null; clearTimeout(timer); resolve() }
    })
  }

  wake (): void {
    if (this.wakeNow) this.wakeNow()
    else this.pending = true
  }
}
