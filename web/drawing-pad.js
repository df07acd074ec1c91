// The drawing pad: strokes from any pointer (mouse, pen, touch) in a thick round pen, and the ink in the
// form the engine's preprocessing takes. The pad's white paper is CSS, so the canvas holds only strokes and
// its alpha channel is the ink; a 112x112 copy keeps the anti-aliased grey levels of the stroke while
// handing C++ far fewer pixels than the full-resolution canvas.

const SIZE = 280;        // drawing units across the pad, whatever its size on screen
const PEN_WIDTH = 26;    // a digit drawn ~200 units tall is scaled to 20 px: a ~2.6 px stroke, as in MNIST
const PEN_COLOUR = '#111';
export const INK_SIDE = 112;

export class DrawingPad {
  #canvas;
  #context;
  #inkContext;
  #pointerId = null;  // the pointer drawing the current stroke; other pointers are ignored meanwhile
  #last = null;
  #hasInk = false;
  #onInk;
  #onStrokeEnd;

  /**
   * onInk(timeStamp) after every change of the ink (timeStamp: the input event's, for latency);
   * onStrokeEnd() when a stroke is finished.
   */
  constructor(canvas, { onInk, onStrokeEnd }) {
    this.#canvas = canvas;
    this.#onInk = onInk;
    this.#onStrokeEnd = onStrokeEnd;
    const ratio = Math.max(1, Math.min(3, Math.round(window.devicePixelRatio || 1)));  // sharp on HiDPI screens
    canvas.width = canvas.height = SIZE * ratio;
    this.#context = canvas.getContext('2d');
    this.#context.scale(ratio, ratio);
    Object.assign(this.#context, { lineCap: 'round', lineJoin: 'round', lineWidth: PEN_WIDTH });
    this.#context.strokeStyle = this.#context.fillStyle = PEN_COLOUR;

    const ink = document.createElement('canvas');
    ink.width = ink.height = INK_SIDE;
    this.#inkContext = ink.getContext('2d', { willReadFrequently: true });
    this.#inkContext.imageSmoothingQuality = 'high';

    canvas.addEventListener('pointerdown', (event) => this.#start(event));
    canvas.addEventListener('pointermove', (event) => this.#move(event));
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      canvas.addEventListener(type, (event) => this.#end(event));
    }
  }

  get hasInk() {
    return this.#hasInk;
  }

  clear() {
    this.#context.clearRect(0, 0, SIZE, SIZE);
    this.#hasInk = false;
  }

  /** The ink as INK_SIDE x INK_SIDE values in [0, 1], row-major. */
  ink() {
    this.#inkContext.clearRect(0, 0, INK_SIDE, INK_SIDE);
    this.#inkContext.drawImage(this.#canvas, 0, 0, INK_SIDE, INK_SIDE);
    const { data } = this.#inkContext.getImageData(0, 0, INK_SIDE, INK_SIDE);
    const ink = new Float32Array(INK_SIDE * INK_SIDE);
    for (let i = 0; i < ink.length; i++) ink[i] = data[4 * i + 3] / 255;
    return ink;
  }

  #start(event) {
    if (this.#pointerId !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();  // no text selection or emulated mouse events while drawing
    this.#pointerId = event.pointerId;
    this.#canvas.setPointerCapture(event.pointerId);
    this.#last = this.#point(event);
    this.#context.beginPath();
    this.#context.arc(this.#last.x, this.#last.y, PEN_WIDTH / 2, 0, 2 * Math.PI);
    this.#context.fill();
    this.#hasInk = true;
    this.#onInk(event.timeStamp);
  }

  #move(event) {
    if (event.pointerId !== this.#pointerId) return;
    // Coalesced events keep fast strokes smooth: the browser may deliver several positions per frame.
    const events = event.getCoalescedEvents?.() ?? [];
    this.#context.beginPath();
    this.#context.moveTo(this.#last.x, this.#last.y);
    for (const each of events.length ? events : [event]) {
      this.#last = this.#point(each);
      this.#context.lineTo(this.#last.x, this.#last.y);
    }
    this.#context.stroke();
    this.#onInk(event.timeStamp);
  }

  #end(event) {
    if (event.pointerId !== this.#pointerId) return;
    this.#pointerId = null;
    this.#onStrokeEnd();
  }

  // offsetX/Y are inside the border and padding-free canvas, so the border does not shift the stroke.
  #point(event) {
    return { x: (event.offsetX / this.#canvas.clientWidth) * SIZE, y: (event.offsetY / this.#canvas.clientHeight) * SIZE };
  }
}
