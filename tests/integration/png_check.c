// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * png_check FILE.png [MIN_COLOURS [MIN_NON_WHITE_PERMILLE]]: is this PNG a
 * real picture? Decodes 8-bit RGB/RGBA non-interlaced PNGs (what Chromium's
 * --screenshot writes) with zlib, counts distinct colours and non-white
 * pixels. Exit 0 when there are at least MIN_COLOURS (default 8) colours and
 * MIN_NON_WHITE_PERMILLE (default 5) per mille of non-white pixels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int main(int argc, char **argv)
{
	unsigned char *file = NULL, *idat = NULL, *raw = NULL, *seen = NULL;
	size_t flen = 0, ilen = 0, pos = 8;
	uint32_t w = 0, h = 0;
	int bpp = 0, ret = 1;
	long min_colours = argc > 2 ? atol(argv[2]) : 8, min_pm = argc > 3 ? atol(argv[3]) : 5;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: png_check FILE.png [MIN_COLOURS [MIN_NON_WHITE_PERMILLE]]\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	flen = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	file = malloc(flen ? flen : 1);
	if (!file || fread(file, 1, flen, f) != flen) {
		fclose(f);
		fprintf(stderr, "png_check: cannot read %s\n", argv[1]);
		goto out;
	}
	fclose(f);
	if (flen < 8 || memcmp(file, "\x89PNG\r\n\x1a\n", 8)) {
		fprintf(stderr, "png_check: %s: not a PNG (%zu bytes)\n", argv[1], flen);
		goto out;
	}
	while (pos + 12 <= flen) {
		uint32_t n = be32(file + pos);
		const unsigned char *type = file + pos + 4, *data = file + pos + 8;

		if (n > flen - pos - 12) {
			fprintf(stderr, "png_check: truncated chunk\n");
			goto out;
		}
		if (!memcmp(type, "IHDR", 4) && n >= 13) {
			w = be32(data);
			h = be32(data + 4);
			if (data[8] != 8 || (data[9] != 2 && data[9] != 6) || data[12] != 0) {
				fprintf(stderr, "png_check: only 8-bit RGB/RGBA, non-interlaced (depth %d type %d)\n",
					data[8], data[9]);
				goto out;
			}
			bpp = data[9] == 6 ? 4 : 3;
		} else if (!memcmp(type, "IDAT", 4)) {
			unsigned char *ni = realloc(idat, ilen + n + 1);

			if (!ni)
				goto out;
			idat = ni;
			memcpy(idat + ilen, data, n);
			ilen += n;
		} else if (!memcmp(type, "IEND", 4)) {
			break;
		}
		pos += 12 + n;
	}
	if (!w || !h || !bpp || !idat || w > 20000 || h > 20000) {
		fprintf(stderr, "png_check: no image data\n");
		goto out;
	}
	{
		size_t stride = (size_t)w * (size_t)bpp, rawlen = (stride + 1) * h, npix = (size_t)w * h;
		uLongf dl = (uLongf)rawlen;
		size_t colours = 0, nonwhite = 0;

		raw = malloc(rawlen);
		seen = calloc(1u << 21, 1); /* a bit per 24-bit colour */
		if (!raw || !seen || uncompress(raw, &dl, idat, (uLong)ilen) != Z_OK || dl != rawlen) {
			fprintf(stderr, "png_check: cannot inflate the image data\n");
			goto out;
		}
		for (uint32_t y = 0; y < h; y++) {
			unsigned char *row = raw + y * (stride + 1) + 1, *prev = y ? row - stride - 1 : NULL;
			int ft = row[-1];

			for (size_t x = 0; x < stride; x++) {
				int a = x >= (size_t)bpp ? row[x - bpp] : 0, b = prev ? prev[x] : 0;
				int c = prev && x >= (size_t)bpp ? prev[x - bpp] : 0;

				switch (ft) {
				case 0: break;
				case 1: row[x] = (unsigned char)(row[x] + a); break;
				case 2: row[x] = (unsigned char)(row[x] + b); break;
				case 3: row[x] = (unsigned char)(row[x] + (a + b) / 2); break;
				case 4: row[x] = (unsigned char)(row[x] + paeth(a, b, c)); break;
				default:
					fprintf(stderr, "png_check: bad filter %d in row %u\n", ft, y);
					goto out;
				}
			}
			for (uint32_t x = 0; x < w; x++) {
				const unsigned char *p = row + (size_t)x * (size_t)bpp;
				uint32_t rgb = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

				if (!(seen[rgb >> 3] & (1 << (rgb & 7)))) {
					seen[rgb >> 3] |= (unsigned char)(1 << (rgb & 7));
					colours++;
				}
				if (rgb != 0xffffff)
					nonwhite++;
			}
		}
		printf("png_check: %s: %ux%u, %zu colours, %.1f%% non-white pixels\n", argv[1], w, h, colours,
		       100.0 * (double)nonwhite / (double)npix);
		if ((long)colours < min_colours || (double)nonwhite * 1000.0 / (double)npix < (double)min_pm) {
			fprintf(stderr, "png_check: %s looks empty (want >= %ld colours, >= %ld per mille non-white)\n",
				argv[1], min_colours, min_pm);
			goto out;
		}
	}
	ret = 0;
out:
	free(file);
	free(idat);
	free(raw);
	free(seen);
	return ret;
}
