// A photo taken at a visit goes to the station small: at most 1280 px on its long side,
// JPEG at about 0.8, under the station's 512 KB. A phone's 12-megapixel picture is
// redrawn on a canvas; quality steps down until it fits.

/** MAX_SIDE is the longest side, in pixels, of a photo as it is sent. */
export const MAX_SIDE = 1280
/** MAX_BYTES is the station's limit on a photo (backend.MaxOutreachPhoto). */
export const MAX_BYTES = 512 * 1024

/** Photo is a photo ready to send: its JPEG as base64 and a blob to preview. */
export interface Photo {
  base64: string
  blob: Blob
  width: number
  height: number
}

/** shrinkPhoto redraws an image file as a JPEG that fits; it throws if the file is no image. */
export async function shrinkPhoto(file: Blob): Promise<Photo> {
  // createImageBitmap turns the picture upright by its EXIF orientation.
  const bitmap = await createImageBitmap(file)
  try {
    let scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height))
    for (;;) {
      const width = Math.max(16, Math.round(bitmap.width * scale))
      const height = Math.max(16, Math.round(bitmap.height * scale))
      const canvas = document.createElement('canvas')
      canvas.width = width
      canvas.height = height
      const ctx = canvas.getContext('2d')
      if (!ctx) throw new Error('no 2d canvas')
      // A transparent picture is put on white, as it would be printed.
      ctx.fillStyle = '#fff'
      ctx.fillRect(0, 0, width, height)
      ctx.drawImage(bitmap, 0, 0, width, height)
      for (const quality of [0.8, 0.7, 0.6, 0.5]) {
        const blob = await toBlob(canvas, 'image/jpeg', quality)
        if (blob.size <= MAX_BYTES) return { base64: await toBase64(blob), blob, width, height }
      }
      scale *= 0.75
    }
  } finally {
    bitmap.close()
  }
}

/** toBlob is canvas.toBlob as a promise. */
export function toBlob(canvas: HTMLCanvasElement, type: string, quality?: number): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas gave no image'))), type, quality),
  )
}

/** toBase64 is a blob's bytes in base64, as the API carries images. */
export function toBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''))
    r.onerror = () => reject(r.error ?? new Error('read failed'))
    r.readAsDataURL(blob)
  })
}
