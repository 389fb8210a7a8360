import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { RecentProject } from '../../src-shared/domain/project';

const MAX_RECENT = 20;

const fileSchema = z.object({
  version: z.literal(1),
  projects: z.array(z.object({ path: z.string(), name: z.string(), openedAt: z.string() })),
});

/**
 * The recent-projects list lives in the user's config directory, not in any project file, so it
 * survives a project being moved or deleted. A damaged list is replaced rather than fatal: it is
 * a convenience, never data.
 */
export class RecentProjects {
  private readonly file: string;

  constructor(configDir: string) {
    this.file = join(configDir, 'recent-projects.json');
  }

  list(): RecentProject[] {
    return this.read().map((p) => ({ ...p, exists: existsSync(p.path) }));
  }

  touch(path: string, name: string): RecentProject[] {
    const rest = this.read().filter((p) => p.path !== path);
    this.write([{ path, name, openedAt: new Date().toISOString() }, ...rest].slice(0, MAX_RECENT));
    return this.list();
  }

  forget(path: string): RecentProject[] {
    this.write(this.read().filter((p) => p.path !== path));
    return this.list();
  }

  private read(): z.infer<typeof fileSchema>['projects'] {
    if (!existsSync(this.file)) return [];
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data.projects : [];
    } catch {
      return [];
    }
  }

  private write(projects: z.infer<typeof fileSchema>['projects']): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, projects }, null, 2));
    renameSync(tmp, this.file);
  }
}
