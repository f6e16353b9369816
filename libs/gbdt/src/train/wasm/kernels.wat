;; Training kernels in WebAssembly (source of kernels.wasm.ts; `npm run wasm:gen` regenerates it).
;;
;; Why: the two hottest loops of training — quantized histograms and row moves between the two
;; position buffers — ran 2.5x and 1.7x slower as JavaScript than here (bounds checks on every typed
;; array access and scalar 8-byte copies; v128 copies and guard-page addressing here). Everything
;; else stays in hist-kernel.ts. Addresses are byte offsets into the shared memory that the
;; position buffers and histograms live in (see wasm-kernels.ts); the semantics match
;; hist-kernel.ts's packedHist and moveRange exactly, which wasm-kernels.spec.ts checks.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Packed histogram of 4 features over rows [start, end): hist slot (f64) at h_k + 8 * bin of
  ;; feature k (its byte c_k in a row of S bytes) += pay[i] (f64). Integer-valued sums: exact.
  (func (export "hist4")
    (param $bins i32) (param $S i32) (param $pay i32) (param $start i32) (param $end i32)
    (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32)
    (param $h0 i32) (param $h1 i32) (param $h2 i32) (param $h3 i32)
    (local $p i32) (local $q i32) (local $qe i32) (local $v f64) (local $a i32)
    (local.set $p (i32.add (local.get $bins) (i32.mul (local.get $start) (local.get $S))))
    (local.set $q (i32.add (local.get $pay) (i32.shl (local.get $start) (i32.const 3))))
    (local.set $qe (i32.add (local.get $pay) (i32.shl (local.get $end) (i32.const 3))))
    (if (i32.lt_u (local.get $q) (local.get $qe))
      (then
        (loop $row
          (local.set $v (f64.load (local.get $q)))
          (local.set $a (i32.add (local.get $h0) (i32.shl (i32.load8_u (i32.add (local.get $p) (local.get $c0))) (i32.const 3))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $v)))
          (local.set $a (i32.add (local.get $h1) (i32.shl (i32.load8_u (i32.add (local.get $p) (local.get $c1))) (i32.const 3))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $v)))
          (local.set $a (i32.add (local.get $h2) (i32.shl (i32.load8_u (i32.add (local.get $p) (local.get $c2))) (i32.const 3))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $v)))
          (local.set $a (i32.add (local.get $h3) (i32.shl (i32.load8_u (i32.add (local.get $p) (local.get $c3))) (i32.const 3))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $v)))
          (local.set $p (i32.add (local.get $p) (local.get $S)))
          (local.set $q (i32.add (local.get $q) (i32.const 8)))
          (br_if $row (i32.lt_u (local.get $q) (local.get $qe)))))))

  ;; The same for one feature (the remainder when the feature count is not a multiple of 4).
  (func (export "hist1")
    (param $bins i32) (param $S i32) (param $pay i32) (param $start i32) (param $end i32)
    (param $c0 i32) (param $h0 i32)
    (local $p i32) (local $q i32) (local $qe i32) (local $a i32)
    (local.set $p (i32.add (local.get $bins) (i32.mul (local.get $start) (local.get $S))))
    (local.set $q (i32.add (local.get $pay) (i32.shl (local.get $start) (i32.const 3))))
    (local.set $qe (i32.add (local.get $pay) (i32.shl (local.get $end) (i32.const 3))))
    (if (i32.lt_u (local.get $q) (local.get $qe))
      (then
        (loop $row
          (local.set $a (i32.add (local.get $h0) (i32.shl (i32.load8_u (i32.add (local.get $p) (local.get $c0))) (i32.const 3))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.load (local.get $q))))
          (local.set $p (i32.add (local.get $p) (local.get $S)))
          (local.set $q (i32.add (local.get $q) (i32.const 8)))
          (br_if $row (i32.lt_u (local.get $q) (local.get $qe)))))))

  ;; Partition of positions [start, end) of a source buffer into a destination buffer: a row whose
  ;; bin at byte $byte is <= $bin (the missing bin $miss goes left when $dl = 1) goes to position
  ;; l, l + 1, ... (in order); the others to r, r - 1, ... (in reverse order), so a range moved into
  ;; the same range needs no count first. A position's S bytes of bins (S a multiple of 8), its row
  ;; index (i32) and $payBytes (0, 8 or 16) of payload move together. Returns the next left position.
  (func (export "move")
    (param $sb i32) (param $db i32) (param $sp i32) (param $dp i32) (param $spay i32) (param $dpay i32)
    (param $payBytes i32) (param $S i32) (param $start i32) (param $end i32)
    (param $byte i32) (param $bin i32) (param $dl i32) (param $miss i32) (param $l i32) (param $r i32)
    (result i32)
    (local $i i32) (local $b i32) (local $isL i32) (local $d i32) (local $s i32) (local $t i32)
    (local $j i32) (local $ps i32) (local $pd i32)
    (local.set $i (local.get $start))
    (if (i32.lt_u (local.get $i) (local.get $end))
      (then
        (loop $row
          (local.set $s (i32.add (local.get $sb) (i32.mul (local.get $i) (local.get $S))))
          (local.set $b (i32.load8_u (i32.add (local.get $s) (local.get $byte))))
          ;; branch-free: the side of a row is unpredictable
          (local.set $isL
            (select (local.get $dl) (i32.le_s (local.get $b) (local.get $bin)) (i32.eq (local.get $b) (local.get $miss))))
          (local.set $d (select (local.get $l) (local.get $r) (local.get $isL)))
          (local.set $l (i32.add (local.get $l) (local.get $isL)))
          (local.set $r (i32.sub (local.get $r) (i32.sub (i32.const 1) (local.get $isL))))
          (local.set $t (i32.add (local.get $db) (i32.mul (local.get $d) (local.get $S))))
          (if (i32.eq (local.get $S) (i32.const 32))
            (then
              (v128.store (local.get $t) (v128.load (local.get $s)))
              (v128.store offset=16 (local.get $t) (v128.load offset=16 (local.get $s))))
            (else
              (local.set $j (i32.const 0))
              (loop $word
                (i64.store (i32.add (local.get $t) (local.get $j)) (i64.load (i32.add (local.get $s) (local.get $j))))
                (local.set $j (i32.add (local.get $j) (i32.const 8)))
                (br_if $word (i32.lt_u (local.get $j) (local.get $S))))))
          (i32.store
            (i32.add (local.get $dp) (i32.shl (local.get $d) (i32.const 2)))
            (i32.load (i32.add (local.get $sp) (i32.shl (local.get $i) (i32.const 2)))))
          (if (i32.eq (local.get $payBytes) (i32.const 8))
            (then
              (i64.store
                (i32.add (local.get $dpay) (i32.shl (local.get $d) (i32.const 3)))
                (i64.load (i32.add (local.get $spay) (i32.shl (local.get $i) (i32.const 3))))))
            (else
              (if (i32.eq (local.get $payBytes) (i32.const 16))
                (then
                  (v128.store
                    (i32.add (local.get $dpay) (i32.shl (local.get $d) (i32.const 4)))
                    (v128.load (i32.add (local.get $spay) (i32.shl (local.get $i) (i32.const 4)))))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $row (i32.lt_u (local.get $i) (local.get $end))))))
    (local.get $l))
  ;; The packed, stochastically rounded gradient payload of positions [start, end) (gatherRange with
  ;; stride 1): pay[i] = floor(g * gScale + u1) * mul + floor(h * hScale + u2) for the pair (g, h)
  ;; (float32) of row perm[i], u1, u2 hashed from (seed, row) exactly as quantizePair does.
  (func (export "gather")
    (param $perm i32) (param $gh i32) (param $pay i32) (param $start i32) (param $end i32)
    (param $gScale f64) (param $hScale f64) (param $mul f64) (param $seed i32)
    (local $i i32) (local $r i32) (local $a i32) (local $b i32) (local $q i32)
    (local.set $i (local.get $start))
    (if (i32.lt_u (local.get $i) (local.get $end))
      (then
        (loop $row
          (local.set $r (i32.load (i32.add (local.get $perm) (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $a (i32.mul (i32.xor (local.get $r) (local.get $seed)) (i32.const 0x9e3779b1)))
          (local.set $a (i32.xor (local.get $a) (i32.shr_u (local.get $a) (i32.const 16))))
          (local.set $a (i32.mul (local.get $a) (i32.const 0x85ebca6b)))
          (local.set $a (i32.xor (local.get $a) (i32.shr_u (local.get $a) (i32.const 13))))
          (local.set $b (i32.mul (i32.xor (local.get $a) (i32.const 0x27d4eb2f)) (i32.const 0xc2b2ae35)))
          (local.set $b (i32.xor (local.get $b) (i32.shr_u (local.get $b) (i32.const 16))))
          (local.set $a (i32.mul (local.get $a) (i32.const 0x7feb352d)))
          (local.set $a (i32.xor (local.get $a) (i32.shr_u (local.get $a) (i32.const 15))))
          (local.set $q (i32.add (local.get $gh) (i32.shl (local.get $r) (i32.const 3))))
          (f64.store (i32.add (local.get $pay) (i32.shl (local.get $i) (i32.const 3)))
            (f64.add
              (f64.mul
                (f64.floor (f64.add (f64.mul (f64.promote_f32 (f32.load (local.get $q))) (local.get $gScale))
                                    (f64.div (f64.convert_i32_u (local.get $a)) (f64.const 4294967296))))
                (local.get $mul))
              (f64.floor (f64.add (f64.mul (f64.promote_f32 (f32.load offset=4 (local.get $q))) (local.get $hScale))
                                  (f64.div (f64.convert_i32_u (local.get $b)) (f64.const 4294967296))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $row (i32.lt_u (local.get $i) (local.get $end)))))))

  ;; Exact gradient sums of each side of a split over positions [start, end) into out[0..3]
  ;; ([gL, hL, gR, hR], f64, in position order) and each position's side into side[i]
  ;; (splitSumsRange: the same products and additions in the same order, so the same sums).
  (func (export "splitSums")
    (param $perm i32) (param $bins i32) (param $S i32) (param $byte i32) (param $bin i32) (param $dl i32)
    (param $miss i32) (param $gh i32) (param $start i32) (param $end i32) (param $out i32) (param $side i32)
    (local $i i32) (local $b i32) (local $isL i32) (local $q i32) (local $g f64) (local $h f64)
    (local $fl f64) (local $fr f64) (local $gL f64) (local $hL f64) (local $gR f64) (local $hR f64)
    (local.set $i (local.get $start))
    (if (i32.lt_u (local.get $i) (local.get $end))
      (then
        (loop $row
          (local.set $b (i32.load8_u (i32.add (i32.add (local.get $bins) (i32.mul (local.get $i) (local.get $S))) (local.get $byte))))
          (local.set $isL
            (select (local.get $dl) (i32.le_s (local.get $b) (local.get $bin)) (i32.eq (local.get $b) (local.get $miss))))
          (i32.store8 (i32.add (local.get $side) (local.get $i)) (local.get $isL))
          (local.set $q (i32.add (local.get $gh)
            (i32.shl (i32.load (i32.add (local.get $perm) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 3))))
          (local.set $g (f64.promote_f32 (f32.load (local.get $q))))
          (local.set $h (f64.promote_f32 (f32.load offset=4 (local.get $q))))
          (local.set $fl (f64.convert_i32_u (local.get $isL)))
          (local.set $fr (f64.convert_i32_u (i32.sub (i32.const 1) (local.get $isL))))
          (local.set $gL (f64.add (local.get $gL) (f64.mul (local.get $g) (local.get $fl))))
          (local.set $hL (f64.add (local.get $hL) (f64.mul (local.get $h) (local.get $fl))))
          (local.set $gR (f64.add (local.get $gR) (f64.mul (local.get $g) (local.get $fr))))
          (local.set $hR (f64.add (local.get $hR) (f64.mul (local.get $h) (local.get $fr))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $row (i32.lt_u (local.get $i) (local.get $end))))))
    (f64.store (local.get $out) (local.get $gL))
    (f64.store offset=8 (local.get $out) (local.get $hL))
    (f64.store offset=16 (local.get $out) (local.get $gR))
    (f64.store offset=24 (local.get $out) (local.get $hR)))

  ;; margin[perm[i] * K + k] += (side[i] = 1 ? vL : vR) over positions [start, end); every row gets
  ;; vL when $sided = 0 (leafUpdateRange).
  (func (export "leafUpdate")
    (param $margin i32) (param $perm i32) (param $side i32) (param $sided i32) (param $vL f64) (param $vR f64)
    (param $K i32) (param $k i32) (param $start i32) (param $end i32)
    (local $i i32) (local $a i32) (local $v f64)
    (local.set $i (local.get $start))
    (if (i32.lt_u (local.get $i) (local.get $end))
      (then
        (loop $row
          (local.set $a (i32.add (local.get $margin)
            (i32.shl
              (i32.add (i32.mul (i32.load (i32.add (local.get $perm) (i32.shl (local.get $i) (i32.const 2)))) (local.get $K)) (local.get $k))
              (i32.const 3))))
          (local.set $v
            (select (local.get $vL) (local.get $vR)
              (i32.or (i32.eqz (local.get $sided)) (i32.load8_u (i32.add (local.get $side) (local.get $i))))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $v)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $row (i32.lt_u (local.get $i) (local.get $end)))))))
)
