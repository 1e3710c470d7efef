/** 8×8 8-bit RGB images, small enough to embed, valid enough for any decoder or pre-flight check. */
export const SAMPLE_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAUDBAQEAwUEBAQFBQUGBwwIBwcHBw8LCwkMEQ8SEhEPERETFhwXExQaFRERGCEYGh0d' +
    'Hx8fExciJCIeJBweHx7/2wBDAQUFBQcGBw4ICA4eFBEUHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4e' +
    'Hh4eHh4eHh7/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAYEAEAAwEAAAAAAAAAAAAAAAAABAYh' +
    'Mv/EABUBAQEAAAAAAAAAAAAAAAAAAAUG/8QAHREAAQIHAAAAAAAAAAAAAAAAAAIEAQMFBhMVIv/aAAwDAQACEQMRAD8AsUybxoCp' +
    'f0BjmjyP2jJRrUH/2Q==',
  'base64',
);

export const SAMPLE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAoElEQVR42gXBsQkAIAwAMG/xEA/xDAcLji5Cxy4FR5eCg6snFHzA' +
    'D+wbJs5PCBPihDyBJqwJZ8Kb4PxoYbQ4Wh6NRlujndHeaM53Dp1j59yZOq/Op/Pr7DxJIIkkmYRIFskheSTO4w64I+6Mm3Av3Af3' +
    'w+181VA1Vs1Vqeqqeqq+qs6XG8qN5eZyqdxV7in3let8spAsJsvJKNlKdpK9ZB9cvnBBs9VfcwAAAABJRU5ErkJggg==',
  'base64',
);

export const SAMPLE_IMAGES: Record<string, { type: string; bytes: Buffer }> = {
  'sample.jpg': { type: 'image/jpeg', bytes: SAMPLE_JPEG },
  'sample.png': { type: 'image/png', bytes: SAMPLE_PNG },
};
