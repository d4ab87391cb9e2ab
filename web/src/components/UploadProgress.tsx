/** Upload progress as a native <progress> (announced by screen readers) with the percentage. */
export function UploadProgress({ label, fraction }: { label: string; fraction: number | null }) {
  if (fraction === null) return null;
  const percent = Math.round(fraction * 100);
  return (
    <div className="progress">
      <label>
        {label}
        <progress max={100} value={percent}>
          {percent}%
        </progress>
      </label>
      <span aria-hidden="true">{percent}%</span>
    </div>
  );
}
