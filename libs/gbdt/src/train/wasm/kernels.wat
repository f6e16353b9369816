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

  ;; Stable partition of positions [start, end) of a source buffer into a destination buffer: a row
  ;; whose bin at byte $byte is <= $bin (the missing bin $miss goes left when $dl = 1) goes to
  ;; position l, l + 1, ...; the others to r, r + 1, .... A position's S bytes of bins (S a multiple
  ;; of 8), its row index (i32) and $payBytes (0, 8 or 16) of payload move together.
  ;; Returns the next left position.
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
          (local.set $r (i32.sub (i32.add (local.get $r) (i32.const 1)) (local.get $isL)))
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
)
