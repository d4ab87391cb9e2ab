import { type DragEvent, useId, useState } from 'react';
import { formatSize } from '../money';

/**
 * A file input that also takes a file dropped on it. The input stays a real, labelled input, so
 * the keyboard and screen readers use it as usual; dropping is a shortcut for the mouse.
 */
export function DropZone({
  label,
  file,
  onFile,
  disabled,
  name = 'file',
}: {
  label: string;
  file: File | null;
  onFile: (file: File | null) => void;
  disabled?: boolean;
  name?: string;
}) {
  const id = useId();
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped !== undefined && !disabled) onFile(dropped);
  };
  return (
    <div
      className={`drop-zone${over ? ' drop-zone--over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="file"
        disabled={disabled}
        onChange={(event) => onFile(event.target.files?.[0] ?? null)}
      />
      <p className="hint" aria-live="polite">
        {file === null
          ? 'Or drop a file here.'
          : `Selected: ${file.name} (${formatSize(file.size)})`}
      </p>
    </div>
  );
}
