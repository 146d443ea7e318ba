// The drawing pad: white ink on black, read back as intensities in [0, 1].
export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: [number, number] | null = null;

  constructor(readonly canvas: HTMLCanvasElement, onStroke: () => void) {
    this.ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    this.clear();
    const at = (e: PointerEvent): [number, number] => {
      const r = canvas.getBoundingClientRect();
      return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
    };
    canvas.addEventListener("pointerdown", (e) => {
      this.drawing = true;
      this.last = at(e);
      this.line(this.last, this.last);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!this.drawing) return;
      const p = at(e);
      this.line(this.last!, p);
      this.last = p;
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      onStroke();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointerleave", end);
  }

  private line(a: [number, number], b: [number, number]): void {
    const c = this.ctx;
    c.strokeStyle = "#fff";
    c.lineWidth = 20;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.beginPath();
    c.moveTo(a[0], a[1]);
    c.lineTo(b[0], b[1]);
    c.stroke();
  }

  clear(): void {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Shows a 28x28 digit (values in [0, 1]) scaled up on the pad. */
  showDigit(pixels: Float32Array): void {
    const img = new ImageData(28, 28);
    pixels.forEach((v, i) => img.data.set([v * 255, v * 255, v * 255, 255], i * 4));
    const small = document.createElement("canvas");
    small.width = small.height = 28;
    small.getContext("2d")!.putImageData(img, 0, 0);
    this.clear();
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
  }

  intensities(): Float32Array {
    const { width, height } = this.canvas;
    const data = this.ctx.getImageData(0, 0, width, height).data;
    const out = new Float32Array(width * height);
    for (let i = 0; i < out.length; i++) out[i] = data[i * 4]! / 255;
    return out;
  }
}
